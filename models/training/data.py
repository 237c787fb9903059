"""Training pairs: HR images from folders, LR made by MATLAB bicubic downscaling of
each whole image (as the benchmarks' LR are), random aligned crops, flips, rotations."""

import sys
import time

import torch

from bicubic import modcrop
from images import SUFFIXES, read_rgb, resize_8bit
from paths import shared_dir


def default_dirs():
    return sorted(p for p in (shared_dir() / 'train').iterdir() if p.is_dir())


def image_files(dirs):
    return sorted(p for d in dirs for p in d.rglob('*') if p.suffix.lower() in SUFFIXES)


class PairedPatches:
    """All (HR, LR) image pairs held in memory as uint8; batches are sampled from them."""

    def __init__(self, dirs, scale, lr_patch, generator):
        self.scale, self.patch, self.generator = scale, lr_patch, generator
        self.pairs = []
        start, skipped = time.time(), 0
        for path in image_files(dirs):
            hr = modcrop(read_rgb(path), scale)
            if min(hr.shape[:2]) < lr_patch * scale:
                skipped += 1
                continue
            # LR is computed once per whole image: cropping first would change its borders.
            lr = resize_8bit(hr, 1 / scale)
            self.pairs.append((torch.from_numpy(hr).permute(2, 0, 1), torch.from_numpy(lr).permute(2, 0, 1)))
        if not self.pairs:
            raise ValueError(f'no training image of at least {lr_patch * scale} px in {[str(d) for d in dirs]}')
        print(f'data: {len(self.pairs)} images ({skipped} smaller than the patch skipped), '
              f'LR made in {time.time() - start:.0f} s', file=sys.stderr, flush=True)

    def _randint(self, n):
        return int(torch.randint(n, (), generator=self.generator))

    def _sample(self):
        hr, lr = self.pairs[self._randint(len(self.pairs))]
        p, s = self.patch, self.scale
        y, x = self._randint(lr.shape[1] - p + 1), self._randint(lr.shape[2] - p + 1)
        lr = lr[:, y:y + p, x:x + p]
        hr = hr[:, y * s:(y + p) * s, x * s:(x + p) * s]
        # One of the 8 symmetries of the square, the same for both.
        k, flip = self._randint(4), self._randint(2)
        lr, hr = (torch.rot90(t, k, (1, 2)) for t in (lr, hr))
        if flip:
            lr, hr = lr.flip(2), hr.flip(2)
        return lr, hr

    def batch(self, size, device='cpu'):
        """(LR, HR) float batches in [0, 1] on `device`: (size, 3, p, p) and (size, 3, p*scale, p*scale)."""
        lrs, hrs = zip(*(self._sample() for _ in range(size)))
        # Moved as uint8, a quarter of the bytes of float32, and converted there.
        return tuple(torch.stack(t).to(device).float().div(255) for t in (lrs, hrs))
