import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import torch
from PIL import Image

import checkpoint
from images import read_rgb
from paths import REPO, shared_dir
from swinir import SwinIR

TRAIN = Path(__file__).resolve().parents[1] / 'train.py'
TINY = dict(upscale=2, in_chans=3, img_size=16, window_size=8, img_range=1.0, depths=[2], embed_dim=12,
            num_heads=[2], mlp_ratio=2, upsampler='pixelshuffledirect', resi_connection='1conv')


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
        self.assertEqual([p.name for p in sorted(out.glob('state-*.pth'))], ['state-000004.pth', 'state-000005.pth'])
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

    def test_gan(self):
        self.train('gan', '--steps', '2', '--gan', '--charbonnier')
        state = checkpoint.read(self.root / 'gan' / 'state-000002.pth')
        self.assertIn('discriminator', state)
        self.assert_loadable(self.root / 'gan' / 'state-000002.pth')


if __name__ == '__main__':
    unittest.main()
