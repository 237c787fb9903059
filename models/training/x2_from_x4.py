"""Starting weights for `swinup-s-x2` from a SwinIR-S ×4 checkpoint (the models issue: "start its body from
the ×4 model").

    python3 models/training/x2_from_x4.py models/weights/swinup-s-x4-v11.safetensors \\
        ~/.cache/swinup-training/x2b/init-from-x4.pth

Every tensor but the upsampler has the same shape at ×2 and ×4 and is copied. The lightweight head is one
conv to `scale² · 3` channels and a pixel shuffle, so each ×2 sub-pixel (a, b) covers the four ×4
sub-pixels (2a + i, 2b + j): its kernel and bias are their mean, which makes the start a sensible ×2 model
before any training. Writes the official layout, `{"params": ...}`, for `train.py --config swinir-s-x2 --init`.
"""

import argparse
from pathlib import Path

import checkpoint

HEAD = ('upsample.0.weight', 'upsample.0.bias')


def x2_head(tensor, channels=3):
    """A ×2 pixel-shuffle head from a ×4 one: (48, ...) → (12, ...), averaging covered sub-pixels."""
    x4 = tensor.reshape(channels, 4, 4, *tensor.shape[1:])  # colour, sub-pixel row, column (PixelShuffle order)
    x2 = x4.reshape(channels, 2, 2, 2, 2, *tensor.shape[1:]).mean(dim=(2, 4))
    return x2.reshape(channels * 4, *tensor.shape[1:])


def x2_weights(x4):
    """The ×2 model's parameters: the ×4 body unchanged, the head from `x2_head`."""
    return {name: x2_head(t) if name in HEAD else t.clone() for name, t in x4.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('source', type=Path, help='SwinIR-S ×4 checkpoint (.pth or .safetensors)')
    p.add_argument('target', type=Path, help='.pth to write')
    args = p.parse_args()
    weights = x2_weights(checkpoint.parameters(checkpoint.read(args.source)))
    args.target.parent.mkdir(parents=True, exist_ok=True)
    checkpoint.write(args.target, {'params': {k: v.float() for k, v in weights.items()}})
    print(f'{args.target}: ×2 start from {args.source.name} ({len(weights)} tensors)')


if __name__ == '__main__':
    main()
