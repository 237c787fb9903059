"""Export a training checkpoint as the compact weights swinup ships.

    python3 models/training/export_weights.py models/training/runs/x4/best.pth \\
        models/weights/swinup-s-x4-vN.safetensors [--dtype float16]

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


def export(source, target, dtype='float16', key=None):
    """Writes `source`'s learned tensors to `target` (atomically); returns (size, sha256, tensor count)."""
    weights = checkpoint.parameters(checkpoint.read(source), key)
    tmp = target.with_name(target.name + '.tmp')
    safetensors_io.write(tmp, {k: v.to(getattr(torch, dtype)) for k, v in weights.items()},
                         metadata={'format': 'pt', 'source': source.name})
    os.replace(tmp, target)
    return target.stat().st_size, hashlib.sha256(target.read_bytes()).hexdigest(), len(weights)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('source', type=Path, help='official-format checkpoint (.pth or .safetensors)')
    p.add_argument('target', type=Path, help='.safetensors file to write')
    p.add_argument('--dtype', choices=('float16', 'float32', 'bfloat16'), default='float16')
    p.add_argument('--key', help='state-dict key (default: params_ema, else params)')
    args = p.parse_args()
    size, digest, count = export(args.source, args.target, args.dtype, args.key)
    print(f'{args.target}: {size} bytes, {count} tensors, {args.dtype}, sha256 {digest}')


if __name__ == '__main__':
    main()
