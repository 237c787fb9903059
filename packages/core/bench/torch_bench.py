"""Times the project's PyTorch SwinIR (models/training) on the images `swinup bench` uses.

Prints one JSON object: per image the whole-image forward time in milliseconds, and the peak RSS.
Run by `swinup bench`; the model, weights, inputs and thread count are the ones swinup is timed with.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--training-dir', required=True, help='models/training, for swinir.py and checkpoint.py')
    parser.add_argument('--checkpoint', required=True)
    parser.add_argument('--config', required=True, help='a preset of swinir.py, e.g. swinir-s-x4')
    parser.add_argument('--threads', type=int, required=True)
    parser.add_argument('images', nargs='+')
    args = parser.parse_args()
    sys.path.insert(0, args.training_dir)
    from checkpoint import load_weights
    from swinir import SwinIR, load_config

    torch.set_num_threads(args.threads)
    model = load_weights(SwinIR(**load_config(args.config)), args.checkpoint).eval()
    results = []
    with torch.inference_mode():
        model(torch.rand(1, 3, 64, 64))  # first-call setup is not part of the per-image time
        for path in args.images:
            pixels = np.asarray(Image.open(path).convert('RGB'), dtype=np.float32) / 255
            x = torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0).contiguous()
            start = time.perf_counter()
            y = model(x)
            elapsed = time.perf_counter() - start
            results.append({'image': Path(path).name, 'ms': elapsed * 1000,
                            'outputPixels': int(y.shape[-1] * y.shape[-2])})
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({'torch': torch.__version__, 'threads': args.threads, 'images': results,
                      'peakRssMb': peak_kb / 1024}))


if __name__ == '__main__':
    main()
