"""A one-command training run for a GPU machine that has no network (README.md, "GPU job").

Here, before sending the job (from the repository root):

    /usr/bin/python3 models/training/gpu_job.py prepare          # data -> models/training/gpu-data
    /usr/bin/python3 models/training/gpu_job.py run --dry-run    # what travels, and the command

There, in a copy of the working tree that carries models/training/gpu-data, with $OUT set:

    python3 models/training/gpu_job.py run                       # 8 minutes of training

$OUT receives best.pth, the last state-NNNNNN.pth, log.jsonl and train.log. The checkpoints leave
out the derived buffers (every reader recomputes them), so that each stays under the 16 MiB that
one file brought back may have. Options that `run` does not know go to train.py as they are.
"""

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

import checkpoint
from data import image_files
from paths import REPO, shared_dir

HERE = Path(__file__).resolve().parent
DATA = HERE / 'gpu-data'
MB = 1e6
SET5_PARTS = ('HR', 'LR_bicubic/X2', 'LR_bicubic/X4')
# In order of preference. t91 is left out: most of it is smaller than a 256 px HR patch.
TRAIN_FOLDERS = ('div2k-valid-crops', 'bsd200', 'photos')
BACK_LIMIT = 16 * 2 ** 20  # the largest file that comes back from $OUT
# A guess for SwinIR-S x4, batch 64 x LR 64, on an H200: it only sets where the cosine ends, and
# log.jsonl's sec_per_step gives the real rate for the next run's --steps.
STEPS_PER_MINUTE = 500


def plan(source, max_bytes):
    """(file, path under the data folder) pairs: Set5, then each training folder in turn, which
    gets an equal share of the budget left at its turn (what it cannot use passes on)."""
    set5 = source / 'images' / 'set5'
    picked = [(f, f.relative_to(source)) for part in SET5_PARTS for f in sorted((set5 / part).iterdir())]
    left = max_bytes - sum(f.stat().st_size for f, _ in picked)
    for i, folder in enumerate(TRAIN_FOLDERS):
        share = left / (len(TRAIN_FOLDERS) - i)
        # A fixed pseudo-random order: the subset spreads over the folder and is the same every time.
        files = sorted(image_files([source / 'train' / folder]), key=lambda f: hashlib.sha1(f.name.encode()).hexdigest())
        for f in files:
            size = f.stat().st_size
            if size <= share:
                picked.append((f, f.relative_to(source)))
                share -= size
                left -= size
    return picked


def show(files, root):
    """List files (paths under `root`) with their sizes and the total."""
    total = 0
    for rel in files:
        size = (root / rel).stat().st_size
        total += size
        print(f'{size / MB:7.2f} MB  {rel}')
    print(f'{len(files)} files, {total / MB:.1f} MB in {root}')


def prepare(args):
    picked = plan(shared_dir(), args.max_mb * MB)
    if args.dry_run:
        show([rel for _, rel in picked], shared_dir())
        return
    shutil.rmtree(args.to, ignore_errors=True)
    for src, rel in picked:
        (args.to / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, args.to / rel)
    show([rel for _, rel in picked], args.to)


def bundled_weights():
    """The bundled weights that models/catalog.json's `swinup-s-x4` entry names."""
    catalog = json.loads((REPO / 'models' / 'catalog.json').read_text(encoding='utf-8'))
    entry = next(m for m in catalog['models'] if m['id'] == 'swinup-s-x4')
    return REPO / 'models' / entry['source']['file']


def train_command(args, extra):
    """train.py's command line, run from the repository root."""
    steps = args.steps or round(args.minutes * STEPS_PER_MINUTE)
    init = args.init or bundled_weights().relative_to(REPO)
    cmd = [sys.executable, (HERE / 'train.py').relative_to(REPO), '--config', 'swinir-s-x4', '--init', init,
           '--out', args.work, '--device', 'cuda', '--minutes', args.minutes, '--steps', steps,
           '--warmup', 100, '--lr', args.lr, '--batch', args.batch, '--patch', args.patch,
           '--eval-every', 500, '--save-every', 500, '--log-every', 100, '--keep', 1, *extra]
    return [str(c) for c in cmd]


def compact(src, dst):
    """Copy a checkpoint without the derived buffers: still official, still resumable, 4x smaller."""
    state = checkpoint.read(src)
    for key in ('params', 'params_ema'):
        if key in state:
            state[key] = checkpoint.parameters(state, key)
    torch.save(state, dst)


def collect(work, out):
    states = sorted(work.glob('state-*.pth'))
    for src in [work / 'best.pth', *states[-1:]]:
        if src.exists():
            compact(src, out / src.name)
    if (work / 'log.jsonl').exists():
        shutil.copyfile(work / 'log.jsonl', out / 'log.jsonl')
    for f in sorted(out.iterdir()):
        print(f'$OUT/{f.name}: {f.stat().st_size / MB:.1f} MB' + (' (too large to come back)' if f.stat().st_size > BACK_LIMIT else ''))


def run(args, extra):
    if not (args.data / 'images' / 'set5').is_dir():
        sys.exit(f'{args.data} has no data: run `/usr/bin/python3 models/training/gpu_job.py prepare` here '
                 f'and carry models/training/gpu-data')
    env = {'SWINUP_SHARED': str(args.data.resolve()), 'PYTHONUNBUFFERED': '1'}
    cmd = train_command(args, extra)
    if args.dry_run:
        show(sorted(p.relative_to(args.data) for p in args.data.rglob('*') if p.is_file()), args.data)
        print(f'carry: {os.path.relpath(args.data, REPO)}')
        print('command:', shlex.join([f'{k}={v}' for k, v in env.items()] + cmd))
        return 0
    if args.out is None:
        sys.exit('set $OUT or give --out')
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(args.work, ignore_errors=True)  # a fresh run: --init, not a leftover state
    print(f'torch {torch.__version__}, CUDA {torch.cuda.is_available()}', flush=True)
    with open(args.out / 'train.log', 'w', encoding='utf-8', buffering=1) as log, \
            subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **env}, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
        for line in proc.stdout:
            print(line, end='', flush=True)
            log.write(line)
    # Whatever the run left is worth bringing back, also after a failure.
    collect(args.work, args.out)
    return proc.returncode


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='command', required=True)
    prep = sub.add_parser('prepare', help='copy a subset of the training data and Set5 into the data folder')
    prep.add_argument('--to', type=Path, default=DATA, help='data folder (default: models/training/gpu-data)')
    prep.add_argument('--max-mb', type=float, default=40, help='size budget in MB (10^6 bytes)')
    prep.add_argument('--dry-run', action='store_true', help='list the files it would copy')
    job = sub.add_parser('run', help='train on CUDA and put the results in $OUT')
    job.add_argument('--data', type=Path, default=DATA, help='the prepared data folder')
    job.add_argument('--out', type=Path, default=os.environ.get('OUT') or None, help='results (default: $OUT)')
    job.add_argument('--work', type=Path, default=Path(tempfile.gettempdir()) / 'swinup-gpu-job',
                     help="train.py's --out; its full-size files stay there")
    job.add_argument('--minutes', type=float, default=8,
                     help='training budget; the whole job takes about a minute more (default 8, for a 10-minute limit)')
    job.add_argument('--init', type=Path, help='weights to start from (default: the bundled swinup-s-x4)')
    job.add_argument('--steps', type=int, help=f'cosine schedule length (default: {STEPS_PER_MINUTE} per minute)')
    job.add_argument('--lr', type=float, default=2e-4)
    job.add_argument('--batch', type=int, default=64)
    job.add_argument('--patch', type=int, default=64, help='LR patch size (HR 256 at x4)')
    job.add_argument('--dry-run', action='store_true', help='list the carried data and print the command')
    args, extra = p.parse_known_args()
    if args.command == 'prepare':
        if extra:
            p.error(f'unrecognized arguments: {" ".join(extra)}')
        prepare(args)
    else:
        sys.exit(run(args, extra))


if __name__ == '__main__':
    main()
