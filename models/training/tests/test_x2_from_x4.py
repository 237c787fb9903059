import unittest

import torch

from x2_from_x4 import x2_head, x2_weights


class X2FromX4(unittest.TestCase):
    def test_each_x2_subpixel_is_the_mean_of_the_four_x4_subpixels_it_covers(self):
        x4 = torch.randn(48, 60, 3, 3)
        x2 = x2_head(x4)
        self.assertEqual(tuple(x2.shape), (12, 60, 3, 3))
        for c in range(3):
            for a in range(2):
                for b in range(2):
                    covered = [x4[c * 16 + (2 * a + i) * 4 + (2 * b + j)] for i in range(2) for j in range(2)]
                    self.assertTrue(torch.allclose(x2[c * 4 + a * 2 + b], sum(covered) / 4, atol=1e-6))

    def test_body_copied_head_shrunk(self):
        x4 = {'conv_first.weight': torch.randn(60, 3, 3, 3), 'upsample.0.weight': torch.randn(48, 60, 3, 3),
              'upsample.0.bias': torch.randn(48)}
        x2 = x2_weights(x4)
        self.assertTrue(torch.equal(x2['conv_first.weight'], x4['conv_first.weight']))
        self.assertEqual(tuple(x2['upsample.0.bias'].shape), (12,))
        self.assertAlmostEqual(x2['upsample.0.bias'][0].item(), x4['upsample.0.bias'][[0, 1, 4, 5]].mean().item(), places=5)


if __name__ == '__main__':
    unittest.main()
