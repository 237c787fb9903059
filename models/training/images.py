"""8-bit RGB images (H, W, 3 numpy uint8) and their float tensor form (N, 3, H, W in [0, 1])."""

import numpy as np
import torch
from PIL import Image

from bicubic import imresize

SUFFIXES = {'.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff'}


def read_rgb(path):
    with Image.open(path) as im:
        return np.array(im.convert('RGB'))


def resize_8bit(img, scale):
    """MATLAB `imresize(img, scale)` on a uint8 image, e.g. the benchmark LR from HR."""
    return imresize(img.transpose(2, 0, 1).astype(np.float64), scale, uint8=True).transpose(1, 2, 0).astype(np.uint8)


def to_tensor(img):
    return torch.from_numpy(img.transpose(2, 0, 1).copy()).float().div(255).unsqueeze(0)


def to_uint8(x):
    """A model output (1, 3, H, W) as the 8-bit image one would save."""
    return x[0].clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).cpu().numpy()
