"""Train or fine-tune SwinIR for bicubic super-resolution, on CPU or CUDA.

    python3 models/training/train.py --config swinir-s-x4 \\
        --init ../shared/weights/swinir-s-x4-cpu-2250.pth --out models/training/runs/x4 --resume

--out receives state-NNNNNN.pth (official layout plus optimizer and step, for --resume),
best.pth (official layout, the EMA weights with the best Set5 Y-PSNR so far; with --score-raw the
raw weights compete too) and log.jsonl.
Every file holds CPU tensors, so a run resumes on either device.
"""

import argparse
import copy
import json
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

import checkpoint
import gan
from data import PairedPatches, default_dirs
from evaluate import evaluate, model_upscaler, set5
from swinir import SwinIR, load_config


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--config', default='swinir-s-x4', help='preset (swinir-s-x2/x3/x4) or JSON file of SwinIR arguments')
    p.add_argument('--init', help='official-format checkpoint to start from (ignored when resuming)')
    p.add_argument('--out', required=True, type=Path, help='run directory')
    p.add_argument('--resume', action='store_true', help='continue from the latest state in --out, if there is one')
    p.add_argument('--data', action='append', type=Path, help='HR image folder, repeatable (default: every folder of ../shared/train)')
    p.add_argument('--steps', type=int, default=6000, help='total steps; the cosine decay ends here')
    p.add_argument('--stop-at', type=int, help='stop after this step without changing the schedule (continue with --resume)')
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--patch', type=int, default=48, help='LR patch size; HR patches are patch x scale')
    p.add_argument('--lr', type=float, default=2e-4, help='peak learning rate')
    p.add_argument('--min-lr', type=float, default=1e-6, help='learning rate at the end of the cosine')
    p.add_argument('--warmup', type=int, default=100, help='linear warm-up steps')
    p.add_argument('--charbonnier', action='store_true', help='Charbonnier loss (eps 1e-3) instead of L1')
    p.add_argument('--ema', type=float, default=0.999, help='decay of the weight average saved as params_ema and evaluated')
    p.add_argument('--score-raw', action='store_true',
                   help='also score the raw weights at each evaluation; best.pth keeps whichever scored best '
                        '(late in a cycle the raw weights can beat an EMA that still holds high-learning-rate steps)')
    p.add_argument('--gan', action='store_true', help='adversarial fine-tuning (for real-world and face photos)')
    p.add_argument('--gan-weight', type=float, default=0.01, help='weight of the adversarial loss next to the pixel loss')
    p.add_argument('--threads', type=int, default=0, help='torch threads (0: torch default)')
    p.add_argument('--device', choices=('cpu', 'cuda'), default='cpu', help='cuda computes forward and loss in bf16')
    p.add_argument('--minutes', type=float,
                   help='wall-clock budget from the start: then stop at the next step, save, evaluate, exit 0')
    p.add_argument('--eval-every', type=int, default=250, help='Set5 evaluation interval in steps')
    p.add_argument('--save-every', type=int, default=250, help='state checkpoint interval in steps')
    p.add_argument('--keep', type=int, default=2, help='state checkpoints to keep')
    p.add_argument('--log-every', type=int, default=10)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    if args.device == 'cuda' and not torch.cuda.is_available():
        p.error('--device cuda: torch.cuda.is_available() is False here (no GPU, or a CPU-only torch)')
    return args


def learning_rate(step, args):
    if step <= args.warmup:
        return args.lr * step / args.warmup
    progress = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * progress))


def autocast(device_type):
    """The context for forward passes and losses: bf16 on CUDA, where it keeps fp32's range (no
    loss scaling) at tensor-core speed; parameters, gradients, optimizer state and the EMA stay
    fp32. A no-op on CPU, which stays fp32: torch 1.13's CPU autocast mixes dtypes in layer_norm."""
    return torch.autocast(device_type, dtype=torch.bfloat16, enabled=device_type == 'cuda')


def pixel_loss(sr, hr, charbonnier):
    if charbonnier:
        return torch.sqrt((sr - hr) ** 2 + 1e-6).mean()
    return F.l1_loss(sr, hr)


@torch.no_grad()
def update_ema(ema, model, decay):
    for e, p in zip(ema.parameters(), model.parameters()):
        e.lerp_(p, 1 - decay)


def state_files(out):
    return sorted(out.glob('state-*.pth'))


class Run:
    """Model, EMA, optimizers and bookkeeping of one training run, saved and restored together."""

    def __init__(self, args, config):
        self.args, self.config = args, config
        torch.manual_seed(args.seed)
        self.device = torch.device(args.device)
        # Initialised on CPU, then moved: a seed gives the same weights on every device.
        self.model = SwinIR(**config).to(self.device)
        self.disc = gan.Discriminator(config['in_chans']).to(self.device) if args.gan else None
        self.optimizers = {name: torch.optim.Adam(net.parameters(), lr=args.lr, betas=(0.9, 0.99))
                           for name, net in (('model', self.model), ('disc', self.disc)) if net}
        self.rng = torch.Generator().manual_seed(args.seed)  # CPU: data sampling runs there
        self.step, self.best = 0, -math.inf
        states = state_files(args.out) if args.resume else []
        if states:
            self._restore(states[-1])
        else:
            if args.init:
                checkpoint.load_weights(self.model, args.init)
            self.ema = copy.deepcopy(self.model)

    # torch 1.13 cannot load floats with weights_only=True, so numbers and the optimizers'
    # hyper-parameters travel as JSON; every file we write stays loadable that safe way.
    def save(self):
        opts = {name: opt.state_dict() for name, opt in self.optimizers.items()}
        meta = {'step': self.step, 'best_psnr': self.best, 'config': self.config,
                'param_groups': {name: sd['param_groups'] for name, sd in opts.items()}}
        extra = {'discriminator': self.disc.state_dict()} if self.disc else {}
        checkpoint.save(self.args.out / f'state-{self.step:06d}.pth', self.model, self.ema,
                        optimizers={name: sd['state'] for name, sd in opts.items()},
                        rng=self.rng.get_state(), train_meta=json.dumps(meta), **extra)
        for old in state_files(self.args.out)[:-self.args.keep]:
            old.unlink()

    def _restore(self, path):
        state = checkpoint.read(path)
        meta = json.loads(state['train_meta'])
        if meta['config'] != self.config:
            sys.exit(f'{path} was trained with config {meta["config"]}, not {self.config}')
        if set(meta['param_groups']) != set(self.optimizers):
            sys.exit(f'{path} and this command disagree about --gan')
        checkpoint.load_weights(self.model, state, 'params')
        self.ema = checkpoint.load_weights(copy.deepcopy(self.model), state, 'params_ema')
        if self.disc:
            self.disc.load_state_dict(state['discriminator'])
        # Files hold CPU tensors; load_state_dict moves the moments to the parameters' device.
        for name, opt in self.optimizers.items():
            opt.load_state_dict({'state': state['optimizers'][name], 'param_groups': meta['param_groups'][name]})
        self.rng.set_state(state['rng'])
        self.step, self.best = meta['step'], meta['best_psnr']
        print(f'resumed from {path} at step {self.step}', file=sys.stderr, flush=True)

    def train_step(self, lr_img, hr_img):
        args = self.args
        for opt in self.optimizers.values():
            for group in opt.param_groups:
                group['lr'] = learning_rate(self.step + 1, args)
        # Losses stay tensors until they are logged: .item() would wait for the GPU every step.
        with autocast(self.device.type):
            sr = self.model(lr_img)
            loss = pixel_loss(sr, hr_img, args.charbonnier)
            record = {'pixel_loss': loss.detach()}
            if self.disc:
                self.disc.requires_grad_(False)  # the generator step must not train D
                adversarial = gan.generator_loss(self.disc(sr))
                loss = loss + args.gan_weight * adversarial
                record['g_loss'] = adversarial.detach()
        self.optimizers['model'].zero_grad(set_to_none=True)
        loss.backward()
        self.optimizers['model'].step()
        if self.disc:
            self.disc.requires_grad_(True)
            with autocast(self.device.type):
                d_loss = gan.discriminator_loss(self.disc(hr_img), self.disc(sr.detach()))
            self.optimizers['disc'].zero_grad(set_to_none=True)
            d_loss.backward()
            self.optimizers['disc'].step()
            record['d_loss'] = d_loss.detach()
        update_ema(self.ema, self.model, args.ema)
        self.step += 1
        return record


def log(out, record):
    line = json.dumps(record)
    print(line, flush=True)
    with open(out / 'log.jsonl', 'a', encoding='utf-8') as f:
        f.write(line + '\n')


def main():
    started = time.monotonic()  # --minutes counts data loading and evaluations too
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(args.threads)
    config = load_config(args.config)
    scale = config['upscale']
    args.out.mkdir(parents=True, exist_ok=True)
    if args.device == 'cuda':
        torch.backends.cudnn.benchmark = True  # patch shapes are fixed, so the autotuning pays off
    run = Run(args, config)
    set5_pairs = set5(scale)

    def validate():
        candidates = {'ema': run.ema.eval(), **({'raw': run.model.eval()} if args.score_raw else {})}
        scored = {name: evaluate(model_upscaler(model), scale, set5_pairs) for name, model in candidates.items()}
        run.model.train()
        means = {name: results.pop('mean') for name, results in scored.items()}
        psnr, ssim = means['ema']
        record = {'step': run.step, 'set5_psnr': round(psnr, 4), 'set5_ssim': round(ssim, 4)}
        if 'raw' in means:
            record['raw_psnr'] = round(means['raw'][0], 4)
        winner = max(means, key=lambda name: means[name][0])
        if means[winner][0] > run.best:
            run.best = means[winner][0]
            checkpoint.save(args.out / 'best.pth', candidates[winner])
            record['saved_best'] = winner
        log(args.out, {**record, 'best_psnr': round(run.best, 4),
                       'per_image': {k: round(v[0], 3) for k, v in scored['ema'].items()}})

    if run.step == 0:
        validate()  # the starting point, so best.pth only ever improves on it
    data = PairedPatches(args.data or default_dirs(), scale, args.patch, run.rng)
    sums, count, busy = {}, 0, 0.0
    end = min(args.steps, args.stop_at or args.steps)
    deadline = started + args.minutes * 60 if args.minutes is not None else math.inf
    while run.step < end:
        start = time.time()
        record = run.train_step(*data.batch(args.batch, run.device))
        busy += time.time() - start  # training time only, not evaluation or saving
        count += 1
        for k, v in record.items():
            sums[k] = sums.get(k, 0.0) + v
        out_of_time = time.monotonic() >= deadline
        step, last = run.step, run.step == end or out_of_time
        if step % args.log_every == 0 or last:
            log(args.out, {'step': step, 'lr': learning_rate(step, args), 'sec_per_step': round(busy / count, 3),
                           **{k: round(float(v) / count, 5) for k, v in sums.items()}})
            sums, count, busy = {}, 0, 0.0
        if step % args.eval_every == 0 or last:
            validate()
        if step % args.save_every == 0 or last:
            run.save()
        if out_of_time:
            log(args.out, {'step': step, 'stopped': 'minutes', 'minutes': args.minutes,
                           'elapsed_min': round((time.monotonic() - started) / 60, 2)})
            break

if __name__ == '__main__':
    main()
