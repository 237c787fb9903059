import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import torch

import checkpoint
import safetensors_io
from paths import shared_dir

EXPORT = Path(__file__).resolve().parents[1] / 'export_weights.py'
FIXTURE = shared_dir() / 'fixtures' / 'swinir' / 'lightweight_x2.pth'


class ExportWeights(unittest.TestCase):
    def test_float16_safetensors_without_buffers(self):
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / 'x2.safetensors'
            out = subprocess.run([sys.executable, str(EXPORT), str(FIXTURE), str(target)],
                                 check=True, capture_output=True, text=True).stdout
            self.assertIn('float16', out)
            original = checkpoint.parameters(checkpoint.read(FIXTURE))
            exported = checkpoint.parameters(checkpoint.read(target))
            self.assertEqual(sorted(exported), sorted(original))
            self.assertFalse(any(k.endswith(checkpoint.DERIVED_BUFFERS) for k in exported))
            for name, tensor in original.items():
                self.assertTrue(torch.equal(exported[name], tensor.half().float()), name)
            header_length = int.from_bytes(target.read_bytes()[:8], 'little')
            header = json.loads(target.read_bytes()[8:8 + header_length])
            self.assertEqual({e['dtype'] for k, e in header.items() if k != '__metadata__'}, {'F16'})

    def test_round_trip_every_float_type(self):
        tensors = {'a': torch.randn(3, 2), 'b': torch.randn(4).half(), 'c': torch.randn(2, 2).bfloat16()}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / 't.safetensors'
            safetensors_io.write(path, tensors)
            back = safetensors_io.read(path)
        for name, tensor in tensors.items():
            self.assertTrue(torch.equal(back[name], tensor.float()), name)


if __name__ == '__main__':
    unittest.main()
