"""Bundle newer weights for a catalog model when they clear the models issue's rule (+0.02 dB on Set5).

    python3 models/training/bundle_weights.py swinup-s-x4 ~/.cache/swinup-training/x4c/best.pth \\
        --version v11 --what "v10 + 1,850 CPU steps, EMA"

Exports the checkpoint as compact float16 `.safetensors` next to the bundled file (export_weights.py), then
measures both with `swinup eval` on Set5: the product's own default path (int8 on the CPU, tiled), Y channel,
`scale` border pixels cropped. When the new file gains at least --min-gain dB, the catalog entry gets its
file, size, SHA-256 and score, the old file is deleted and a changeset for `@swinup/models` is written (the
next release's changelog line); otherwise the new file is deleted. Either way it prints both scores. Needs
core built (`npm run build -w @swinup/core`); update models/README.md's table by hand.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from export_weights import export
from paths import REPO, shared_dir

CATALOG = REPO / 'models' / 'catalog.json'
CHANGESETS = REPO / '.changeset'
CLI = REPO / 'packages' / 'core' / 'bin' / 'swinup.js'
MIN_GAIN = 0.02


def set5_score(weights, scale):
    """`swinup eval --json` of a weights file on Set5 at `scale`: {'psnr', 'ssim'} (means)."""
    set5 = shared_dir() / 'images' / 'set5'
    command = ['node', str(CLI), 'eval', '--scale', str(scale), '--hr', str(set5 / 'HR'),
               '--lr', str(set5 / 'LR_bicubic' / f'X{scale}'), '--model', str(weights), '--json']
    run = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, SWINUP_OFFLINE='1'))
    if run.returncode != 0:
        raise SystemExit(f'swinup eval failed for {weights}:\n{run.stderr}')
    score = json.loads(run.stdout)
    return {'psnr': score['meanPsnr'], 'ssim': score['meanSsim']}


def clears_rule(old_psnr, new_psnr, min_gain=MIN_GAIN):
    """True when the new weights gain at least `min_gain` dB (measured to four decimals, as reported)."""
    return round(new_psnr - old_psnr, 4) >= min_gain


def with_new_weights(text, model_id, fields):
    """The catalog's text with one entry's scalar `fields` replaced in place (pure): the rest of the file,
    its layout included, stays byte for byte."""
    begin = text.index(f'"id": {json.dumps(model_id)}')
    following = text.find('"id": ', begin + 1)
    end = len(text) if following < 0 else following
    block = text[begin:end]
    for key, value in fields.items():
        pattern = re.compile(rf'("{key}": )("(?:[^"\\]|\\.)*"|-?[\d.]+)')
        block, count = pattern.subn(lambda m: m.group(1) + json.dumps(value, ensure_ascii=False), block, count=1)
        if count != 1:
            raise SystemExit(f'{key} not found in the catalog entry of {model_id}')
    return text[:begin] + block + text[end:]


def changeset(model_id, version, scale, old, new):
    """The changeset announcing bundled weights (pure): new weights change every default output, so minor."""
    return (f'---\n"@swinup/models": minor\n---\n\n`{model_id}` {version}: Set5 ×{scale} {new["psnr"]:.2f} dB / '
            f'{new["ssim"]:.4f} (was {old["psnr"]:.2f} dB / {old["ssim"]:.4f}), measured with `swinup eval`.\n')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('model', help='catalog id of a bundled model, e.g. swinup-s-x4')
    p.add_argument('checkpoint', type=Path, help='training checkpoint (.pth or .safetensors)')
    p.add_argument('--version', required=True, help='new version tag, e.g. v11 (names the file)')
    p.add_argument('--what', required=True, help='how it was made, for the catalog, e.g. "v10 + 1,850 CPU steps, EMA"')
    p.add_argument('--min-gain', type=float, default=MIN_GAIN, help='dB the new weights must gain (default 0.02)')
    p.add_argument('--key', help='state-dict key of a training state: params (the raw weights) or params_ema '
                                 '(default: params_ema, else params)')
    args = p.parse_args()

    entry = next((m for m in json.loads(CATALOG.read_text())['models'] if m['id'] == args.model), None)
    if entry is None or entry['source']['kind'] != 'bundled':
        raise SystemExit(f'{args.model} is not a bundled model of {CATALOG}')
    old_file = CATALOG.parent / entry['source']['file']
    new_rel = f'weights/{args.model}-{args.version}.safetensors'
    new_file = CATALOG.parent / new_rel
    if new_file.exists():
        raise SystemExit(f'{new_file} exists already: choose another --version')
    size, sha256, _ = export(args.checkpoint, new_file, key=args.key)
    scale = entry['scale']
    old, new = set5_score(old_file, scale), set5_score(new_file, scale)
    gain = new['psnr'] - old['psnr']
    print(f'Set5 ×{scale}: bundled {old_file.name} {old["psnr"]:.4f} dB / {old["ssim"]:.4f}, '
          f'{new_file.name} {new["psnr"]:.4f} dB / {new["ssim"]:.4f} ({gain:+.4f} dB)')
    if not clears_rule(old['psnr'], new['psnr'], args.min_gain):
        new_file.unlink()
        print(f'not bundled: the gain is under {args.min_gain} dB')
        return 1
    fields = {'file': new_rel, 'size': size, 'sha256': sha256, 'yPsnr': round(new['psnr'], 2),
              'ySsim': round(new['ssim'], 4), 'version': f'{args.version} ({args.what}; float16 .safetensors)'}
    text = with_new_weights(CATALOG.read_text(), args.model, fields)
    tmp = CATALOG.with_name(CATALOG.name + '.tmp')
    tmp.write_text(text)
    tmp.replace(CATALOG)
    old_file.unlink()
    note = CHANGESETS / f'{args.model}-{args.version}.md'
    note.write_text(changeset(args.model, args.version, scale, old, new))
    print(f'bundled {new_rel}: {size} bytes, sha256 {sha256}; {old_file.name} removed; {note.name} written')
    return 0


if __name__ == '__main__':
    sys.exit(main())
