"""Exports the project's PyTorch SwinIR (models/training) to ONNX with torch.onnx.export, one file per shape.

This is "the plain fp32 export" `swinup bench` compares against: the standard way to take a PyTorch model
to ONNX Runtime, with none of swinup's graph work. Run by `swinup bench`; prints {"files": {"HxW": path}}.
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--training-dir', required=True, help='models/training, for swinir.py and checkpoint.py')
    parser.add_argument('--checkpoint', required=True)
    parser.add_argument('--config', required=True, help='a preset of swinir.py, e.g. swinir-s-x4')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('shapes', nargs='+', help='input shapes as HxW (window multiples)')
    args = parser.parse_args()
    sys.path.insert(0, args.training_dir)
    from checkpoint import load_weights
    from swinir import SwinIR, load_config

    model = load_weights(SwinIR(**load_config(args.config)), args.checkpoint).eval()
    files = {}
    for shape in args.shapes:
        h, w = (int(v) for v in shape.split('x'))
        path = Path(args.out_dir) / f'{Path(args.checkpoint).stem}-{h}x{w}.onnx'
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # tracer warnings: the shape is fixed on purpose
            torch.onnx.export(model, torch.rand(1, 3, h, w), str(path), opset_version=17,
                              input_names=['input'], output_names=['output'])
        files[shape] = str(path)
    print(json.dumps({'torch': torch.__version__, 'files': files}))


if __name__ == '__main__':
    main()
