"""MATLAB's `imresize(img, scale)` with the default bicubic kernel and antialiasing.

The benchmark low-resolution images (Set5 LR_bicubic, DIV2K ...) were made with it;
training on anything else (PIL or torch bicubic) teaches a different degradation.
Works on float numpy arrays and torch tensors shaped (..., H, W).
"""

import math

import numpy as np
import torch


def cubic(x):
    """Keys' cubic convolution kernel with a = -0.5."""
    ax = np.abs(x)
    ax2, ax3 = ax ** 2, ax ** 3
    return ((1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1)
            + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2)))


def contributions(in_len, out_len, scale):
    """Per output pixel: the input indices it reads and their weights, as MATLAB computes them."""
    width = 4.0
    if scale < 1:  # antialiasing: stretch the kernel so it low-passes at the output rate
        kernel = lambda x: scale * cubic(scale * x)  # noqa: E731
        width /= scale
    else:
        kernel = cubic
    u = np.arange(1, out_len + 1) / scale + 0.5 * (1 - 1 / scale)  # output centres in 1-based input coordinates
    left = np.floor(u - width / 2)
    taps = int(math.ceil(width)) + 2
    indices = left[:, None] + np.arange(taps)
    weights = kernel(u[:, None] - indices)
    weights /= weights.sum(1, keepdims=True)
    # Out-of-range taps read the image mirrored at its edges (MATLAB's 'symmetric').
    mirror = np.concatenate([np.arange(in_len), np.arange(in_len)[::-1]])
    indices = mirror[(indices.astype(np.int64) - 1) % (2 * in_len)]
    return weights, indices


def _resize_last_axis(x, out_len, scale):
    weights, indices = contributions(x.shape[-1], out_len, scale)
    if isinstance(x, torch.Tensor):
        weights, indices = torch.from_numpy(weights).to(x.dtype), torch.from_numpy(indices)
    # One tap at a time keeps memory at the size of the output, even for 20 MP photos.
    out = 0
    for t in range(indices.shape[1]):
        out = out + x[..., indices[:, t]] * weights[:, t]
    return out


def _round_8bit(x):
    # MATLAB rounds half away from zero (numpy and torch round half to even).
    floor = torch.floor if isinstance(x, torch.Tensor) else np.floor
    return floor(x + 0.5).clip(0, 255)


def imresize(x, scale, uint8=False):
    """Resize the last two axes (H, W) of a float array or tensor by `scale`;
    output size is ceil(scale * input size). Height first, as MATLAB does for equal scales.

    uint8=True reproduces MATLAB on a uint8 image: `x` holds values in [0, 255] and every
    pass is rounded to 8 bits (the Set5 X2/X3/X4 files were made this way, X8 was not).
    """
    h, w = x.shape[-2:]
    # Rounded first so that, e.g., 342 * (1 / 3) gives 114 and not 115.
    out_h, out_w = (math.ceil(round(n * scale, 6)) for n in (h, w))
    quantize = _round_8bit if uint8 else (lambda v: v)
    x = quantize(_resize_last_axis(x.swapaxes(-1, -2), out_h, scale).swapaxes(-1, -2))
    return quantize(_resize_last_axis(x, out_w, scale))


def modcrop(img, scale, axes=(0, 1)):
    """Crop the bottom/right so the given axes are multiples of `scale` (the benchmark convention)."""
    index = [slice(None)] * img.ndim
    for a in axes:
        index[a] = slice(0, img.shape[a] - img.shape[a] % scale)
    return img[tuple(index)]
