import unittest

import numpy as np

from evaluate import bicubic_upscaler, evaluate
from metrics import psnr_y, ssim_y


class SrMetrics(unittest.TestCase):
    def test_bicubic_baselines_match_the_literature(self):
        # Set5 bicubic Y-PSNR as reported in SR papers.
        for scale, expected in ((4, 28.42), (2, 33.66)):
            with self.subTest(scale=scale):
                psnr, _ = evaluate(bicubic_upscaler(scale), scale)['mean']
                self.assertAlmostEqual(psnr, expected, delta=0.02)

    def test_identical_and_different_images(self):
        rng = np.random.default_rng(0)
        a = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
        b = np.clip(a.astype(int) + rng.integers(-3, 4, a.shape), 0, 255).astype(np.uint8)
        self.assertEqual(psnr_y(a, a, 4), float('inf'))
        self.assertAlmostEqual(ssim_y(a, a, 4), 1.0)
        self.assertLess(ssim_y(a, b, 4), 1.0)
        self.assertGreater(psnr_y(a, b, 4), 35)


if __name__ == '__main__':
    unittest.main()
