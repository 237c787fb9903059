import json
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

import checkpoint
from paths import shared_dir
from swinir import SwinIR

FIXTURES = shared_dir() / 'fixtures' / 'swinir'
INDEX = json.loads((FIXTURES / 'index.json').read_text())


def read_f32(name, shape):
    return np.fromfile(FIXTURES / name, dtype='<f4').reshape(shape)


@torch.no_grad()
def assert_reproduces(test, model, entry):
    for case in entry['cases']:
        out = model(torch.from_numpy(read_f32(case['input'], case['input_shape']))).numpy()
        expected = read_f32(case['output'], case['output_shape'])
        test.assertEqual(out.shape, expected.shape)
        test.assertLessEqual(float(np.abs(out - expected).max()), 1e-5, case['input'])


class GoldenOutputs(unittest.TestCase):
    def test_official_checkpoints_load_strictly_and_reproduce_reference_outputs(self):
        for name, entry in INDEX.items():
            with self.subTest(model=name):
                model = SwinIR(**entry['config']).eval()
                model.load_state_dict(checkpoint.read(FIXTURES / entry['checkpoint'])[entry['state_dict_key']])
                assert_reproduces(self, model, entry)

    def test_checkpoint_made_for_another_img_size_loads(self):
        # The file's attn_mask buffers are for 64x64; they are derived, not loaded.
        entry = INDEX['realsr_x4_small_3conv']  # also: params_ema, picked without being named
        model = SwinIR(**{**entry['config'], 'img_size': 48}).eval()
        checkpoint.load_weights(model, FIXTURES / entry['checkpoint'])
        assert_reproduces(self, model, entry)

    def test_saved_checkpoint_has_the_official_layout(self):
        entry = INDEX['classical_x3_small']
        model = checkpoint.load_weights(SwinIR(**entry['config']), FIXTURES / entry['checkpoint'])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / 'model.pth'
            checkpoint.save(path, model, model)
            saved = checkpoint.read(path)
        original = checkpoint.read(FIXTURES / entry['checkpoint'])['params']
        self.assertEqual(sorted(saved), ['params', 'params_ema'])
        self.assertEqual(list(saved['params']), list(original))
        for k, v in original.items():
            self.assertTrue(torch.equal(saved['params'][k], v), k)


if __name__ == '__main__':
    unittest.main()
