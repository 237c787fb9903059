"""Y-channel PSNR and SSIM on 8-bit images, as SR papers report them (SwinIR's
utils/util_calculate_psnr_ssim.py): ITU-R BT.601 luma, `border` pixels cropped."""

import numpy as np


def luma(img):
    """BT.601 Y in [16, 235] of an (H, W, 3) uint8 RGB image, unrounded."""
    return img.astype(np.float64) / 255 @ np.array([65.481, 128.553, 24.966]) + 16


def _y_pair(a, b, border):
    if a.shape != b.shape:
        raise ValueError(f'image shapes differ: {a.shape} vs {b.shape}')
    crop = (slice(border, -border or None),) * 2
    return luma(a[crop]), luma(b[crop])


def psnr_y(a, b, border):
    ya, yb = _y_pair(a, b, border)
    mse = np.mean((ya - yb) ** 2)
    return float('inf') if mse == 0 else 20 * np.log10(255 / np.sqrt(mse))


def _gaussian(size=11, sigma=1.5):
    x = np.arange(size) - size // 2
    k = np.exp(-x ** 2 / (2 * sigma ** 2))
    return k / k.sum()


def _blur_valid(img, kernel=_gaussian()):
    """The 11x11 Gaussian filter on the fully covered region only (cv2.filter2D then [5:-5, 5:-5])."""
    n = len(kernel) - 1
    rows = sum(k * img[i:img.shape[0] - n + i] for i, k in enumerate(kernel))
    return sum(k * rows[:, j:img.shape[1] - n + j] for j, k in enumerate(kernel))


def ssim_y(a, b, border):
    ya, yb = _y_pair(a, b, border)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = _blur_valid(ya), _blur_valid(yb)
    var_a = _blur_valid(ya ** 2) - mu_a ** 2
    var_b = _blur_valid(yb ** 2) - mu_b ** 2
    cov = _blur_valid(ya * yb) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return float(ssim_map.mean())
