"""Set5 Y-PSNR / SSIM of a checkpoint (or of bicubic upscaling) at one scale.

    python3 models/training/evaluate.py CHECKPOINT --scale 4 [--config swinir-s-x4]
    python3 models/training/evaluate.py --bicubic --scale 4
"""

import argparse

import numpy as np
import torch

import checkpoint
from images import read_rgb, resize_8bit, to_tensor, to_uint8
from metrics import psnr_y, ssim_y
from paths import shared_dir
from swinir import SwinIR, load_config

SET5 = ('baby', 'bird', 'butterfly', 'head', 'woman')


def set5(scale):
    """(name, HR, official LR) triples; HR cropped to scale x LR size, as the LR was made from it."""
    root = shared_dir() / 'images' / 'set5'
    pairs = []
    for name in SET5:
        lr = read_rgb(root / 'LR_bicubic' / f'X{scale}' / f'{name}x{scale}.png')
        hr = read_rgb(root / 'HR' / f'{name}.png')[:lr.shape[0] * scale, :lr.shape[1] * scale]
        pairs.append((name, hr, lr))
    return pairs


def evaluate(upscale, scale, pairs=None):
    """{name: (psnr, ssim)} plus 'mean' for `upscale`: LR uint8 image -> SR uint8 image."""
    results = {}
    for name, hr, lr in pairs or set5(scale):
        sr = upscale(lr)
        results[name] = (psnr_y(sr, hr, scale), ssim_y(sr, hr, scale))
    results['mean'] = tuple(np.mean(list(results.values()), axis=0))
    return results


def model_upscaler(model):
    """Whole-image inference in float32 on the model's device; the model pads to its window size itself."""
    device = next(model.parameters()).device

    @torch.no_grad()
    def upscale(lr):
        return to_uint8(model(to_tensor(lr).to(device)))
    return upscale


def bicubic_upscaler(scale):
    return lambda lr: resize_8bit(lr, scale)


def format_results(results):
    return '\n'.join(f'{name:10s} {p:7.3f} dB  SSIM {s:.4f}' for name, (p, s) in results.items())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint', nargs='?', help='official-format .pth (params_ema preferred over params)')
    parser.add_argument('--scale', type=int, default=4)
    parser.add_argument('--config', help='preset name or JSON file (default: swinir-s-x<scale>)')
    parser.add_argument('--key', help="state dict to use, e.g. 'params' (default: params_ema, else params)")
    parser.add_argument('--bicubic', action='store_true', help='evaluate MATLAB bicubic upscaling instead')
    parser.add_argument('--threads', type=int, default=0, help='torch threads (0: torch default)')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.bicubic:
        upscale = bicubic_upscaler(args.scale)
    elif args.checkpoint:
        config = load_config(args.config or f'swinir-s-x{args.scale}')
        if config['upscale'] != args.scale:
            parser.error(f"config upscale {config['upscale']} does not match --scale {args.scale}")
        upscale = model_upscaler(checkpoint.load_weights(SwinIR(**config), args.checkpoint, args.key).eval())
    else:
        parser.error('give a checkpoint or --bicubic')
    print(format_results(evaluate(upscale, args.scale)))


if __name__ == '__main__':
    main()
