import unittest

import numpy as np
import torch

from bicubic import imresize, modcrop
from evaluate import SET5
from images import read_rgb
from paths import shared_dir

SET5_DIR = shared_dir() / 'images' / 'set5'


def max_diff_to_official_lr(scale, uint8):
    worst = 0
    for name in SET5:
        hr = modcrop(read_rgb(SET5_DIR / 'HR' / f'{name}.png'), scale).transpose(2, 0, 1).astype(np.float64)
        lr = read_rgb(SET5_DIR / 'LR_bicubic' / f'X{scale}' / f'{name}x{scale}.png').transpose(2, 0, 1)
        ours = np.floor(imresize(hr, 1 / scale, uint8=uint8) + 0.5).clip(0, 255)
        worst = max(worst, int(np.abs(ours - lr).max()))
    return worst


class MatlabBicubic(unittest.TestCase):
    def test_reproduces_set5_lr_x2_x3_x4(self):
        # Made by MATLAB from uint8 images: 8-bit rounding after each pass. Measured: identical.
        for scale in (2, 3, 4):
            with self.subTest(scale=scale):
                self.assertLessEqual(max_diff_to_official_lr(scale, uint8=True), 1)

    def test_reproduces_set5_lr_x8(self):
        # X8 was made from a float image, rounded once. Measured: identical.
        self.assertLessEqual(max_diff_to_official_lr(8, uint8=False), 1)

    def test_tensors_and_arrays_agree(self):
        x = torch.rand(2, 3, 30, 41, dtype=torch.float64)
        for scale in (1 / 3, 2):
            ours = imresize(x, scale)
            self.assertEqual(tuple(ours.shape), (2, 3, int(np.ceil(30 * scale)), int(np.ceil(41 * scale))))
            np.testing.assert_allclose(ours.numpy(), imresize(x.numpy(), scale), atol=1e-12)

    def test_constant_image_stays_constant(self):
        x = np.full((17, 23), 0.25)
        np.testing.assert_allclose(imresize(x, 1 / 4), 0.25, atol=1e-12)
        np.testing.assert_allclose(imresize(x, 3), 0.25, atol=1e-12)


if __name__ == '__main__':
    unittest.main()
