import contextlib
import io
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import torch
from PIL import Image

import checkpoint
import gpu_job
import train
from evaluate import evaluate, model_upscaler
from images import read_rgb
from paths import REPO, shared_dir
from swinir import SwinIR

TRAIN = Path(__file__).resolve().parents[1] / 'train.py'
TINY = dict(upscale=2, in_chans=3, img_size=16, window_size=8, img_range=1.0, depths=[2], embed_dim=12,
            num_heads=[2], mlp_ratio=2, upsampler='pixelshuffledirect', resi_connection='1conv')


def state_names(out):
    return [p.name for p in sorted(out.glob('state-*.pth'))]


class TrainSmoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = Path(cls.tmp.name)
        (root / 'data').mkdir()
        hr = read_rgb(shared_dir() / 'images' / 'set5' / 'HR' / 'baby.png')
        for i in range(3):
            Image.fromarray(hr[i * 100:i * 100 + 48, 200:248]).save(root / 'data' / f'{i}.png')
        (root / 'tiny.json').write_text(json.dumps(TINY))
        cls.root = root

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def train(self, out, *extra):
        cmd = [sys.executable, str(TRAIN), '--config', str(self.root / 'tiny.json'), '--out', str(self.root / out),
               '--data', str(self.root / 'data'), '--batch', '2', '--patch', '8', '--lr', '1e-3', '--warmup', '1',
               '--eval-every', '2', '--save-every', '2', '--log-every', '1', '--threads', '1', *extra]
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done

    def assert_loadable(self, path):
        model = checkpoint.load_weights(SwinIR(**TINY), path)
        with torch.no_grad():
            self.assertEqual(tuple(model(torch.rand(1, 3, 10, 12)).shape), (1, 3, 20, 24))

    def test_train_then_resume(self):
        self.train('run', '--steps', '5', '--stop-at', '3')
        resumed = self.train('run', '--steps', '5', '--resume')
        self.assertIn('resumed from', resumed.stderr)
        out = self.root / 'run'
        self.assertEqual(state_names(out), ['state-000004.pth', 'state-000005.pth'])
        state = checkpoint.read(out / 'state-000005.pth')
        self.assertEqual(json.loads(state['train_meta'])['step'], 5)
        self.assertEqual(sorted(checkpoint.read(out / 'best.pth')), ['params'])
        records = [json.loads(line) for line in (out / 'log.jsonl').read_text().splitlines()]
        self.assertEqual([r['step'] for r in records if 'pixel_loss' in r], [1, 2, 3, 4, 5])
        self.assertEqual([r['step'] for r in records if 'set5_psnr' in r], [0, 2, 3, 4, 5])
        for path in (out / 'best.pth', out / 'state-000005.pth'):
            self.assert_loadable(path)
        # Resuming continues exactly where the first run stopped.
        self.train('straight', '--steps', '5', '--eval-every', '100')
        straight = checkpoint.read(self.root / 'straight' / 'state-000005.pth')
        for key in ('params', 'params_ema'):
            for name, value in state[key].items():
                self.assertTrue(torch.equal(value, straight[key][name]), f'{key}.{name}')

    def test_minutes_budget_stops_cleanly_and_resumes(self):
        # 1.2 s: over after a step or a few, long before --steps.
        done = self.train('budget', '--steps', '100000', '--minutes', '0.02')
        out = self.root / 'budget'
        records = [json.loads(line) for line in (out / 'log.jsonl').read_text().splitlines()]
        self.assertEqual(records[-1]['stopped'], 'minutes', done.stdout)
        stop = records[-1]['step']
        self.assertIn(stop, [r['step'] for r in records if 'set5_psnr' in r])
        self.assertEqual(state_names(out)[-1], f'state-{stop:06d}.pth')
        self.assertTrue((out / 'best.pth').exists())
        # A state brought back from the GPU job (derived buffers dropped) resumes too.
        back = self.root / 'brought-back'
        back.mkdir()
        gpu_job.compact(out / f'state-{stop:06d}.pth', back / f'state-{stop:06d}.pth')
        for run in ('budget', 'brought-back'):
            resumed = self.train(run, '--steps', str(stop + 1), '--resume')
            self.assertIn(f'at step {stop}', resumed.stderr)
            self.assertTrue((self.root / run / f'state-{stop + 1:06d}.pth').exists())

    def test_score_raw_keeps_the_better_weights(self):
        self.train('raw', '--steps', '3', '--score-raw', '--eval-every', '1')
        out = self.root / 'raw'
        evals = [json.loads(line) for line in (out / 'log.jsonl').read_text().splitlines()]
        evals = [r for r in evals if 'set5_psnr' in r]
        self.assertEqual([r['step'] for r in evals], [0, 1, 2, 3])
        # The raw weights really are scored apart from the EMA once training has moved them.
        self.assertNotEqual(evals[-1]['raw_psnr'], evals[-1]['set5_psnr'])
        top = max(max(r['set5_psnr'], r['raw_psnr']) for r in evals)
        self.assertEqual(evals[-1]['best_psnr'], top)
        saved = [r['saved_best'] for r in evals if 'saved_best' in r]
        self.assertTrue(saved and set(saved) <= {'ema', 'raw'}, evals)
        # best.pth holds the weights that scored `top`.
        model = checkpoint.load_weights(SwinIR(**TINY), out / 'best.pth').eval()
        self.assertEqual(round(evaluate(model_upscaler(model), 2)['mean'][0], 4), top)

    def test_gan(self):
        self.train('gan', '--steps', '2', '--gan', '--charbonnier')
        state = checkpoint.read(self.root / 'gan' / 'state-000002.pth')
        self.assertIn('discriminator', state)
        self.assert_loadable(self.root / 'gan' / 'state-000002.pth')


class Device(unittest.TestCase):
    @unittest.skipIf(torch.cuda.is_available(), 'CUDA is available here')
    def test_cuda_without_cuda_fails_clearly(self):
        stderr = io.StringIO()
        with mock.patch.object(sys, 'argv', ['train.py', '--out', 'unused', '--device', 'cuda']), \
                contextlib.redirect_stderr(stderr), self.assertRaises(SystemExit) as exit:
            train.parse_args()
        self.assertEqual(exit.exception.code, 2)
        self.assertIn('--device cuda: torch.cuda.is_available() is False', stderr.getvalue())

    def test_autocast_is_a_no_op_on_cpu(self):
        with train.autocast('cpu'):
            self.assertEqual(torch.nn.Linear(4, 4)(torch.rand(2, 4)).dtype, torch.float32)

    # torch 1.13 cannot even build a CUDA autocast context without CUDA.
    @unittest.skipUnless(torch.cuda.is_available(), 'needs CUDA')
    def test_autocast_is_bf16_on_cuda(self):
        with train.autocast('cuda'):
            self.assertEqual(torch.nn.Linear(4, 4).cuda()(torch.rand(2, 4, device='cuda')).dtype, torch.bfloat16)


if __name__ == '__main__':
    unittest.main()
