"""Export a training checkpoint as the compact weights swinup ships.

    python3 models/training/export_weights.py models/training/runs/x4/best.pth \\
        models/weights/swinup-s-x4-v10.safetensors [--dtype float16]

Keeps only the learned parameters (`params_ema` if present, else `params`): the `attn_mask` and
`relative_position_index` buffers are recomputed from the window size by every reader, so they are
dropped. Stores them as `.safetensors` (no pickle) in float16 by default, about a ninth of the
official `.pth`. Prints the file's size and SHA-256 for `models/catalog.json`.
"""

import argparse
import hashlib
import os
from pathlib import Path

import torch

import checkpoint
import safetensors_io


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('source', type=Path, help='official-format checkpoint (.pth or .safetensors)')
    p.add_argument('target', type=Path, help='.safetensors file to write')
    p.add_argument('--dtype', choices=('float16', 'float32', 'bfloat16'), default='float16')
    p.add_argument('--key', help='state-dict key (default: params_ema, else params)')
    args = p.parse_args()
    weights = checkpoint.parameters(checkpoint.read(args.source), args.key)
    dtype = getattr(torch, args.dtype)
    tmp = args.target.with_name(args.target.name + '.tmp')
    safetensors_io.write(tmp, {k: v.to(dtype) for k, v in weights.items()},
                         metadata={'format': 'pt', 'source': args.source.name})
    os.replace(tmp, args.target)
    digest = hashlib.sha256(args.target.read_bytes()).hexdigest()
    print(f'{args.target}: {args.target.stat().st_size} bytes, {len(weights)} tensors, {args.dtype}, sha256 {digest}')


if __name__ == '__main__':
    main()
