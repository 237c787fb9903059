import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import gpu_job
from data import default_dirs
from evaluate import set5
from paths import REPO

JOB = Path(gpu_job.__file__)


class GpuJob(unittest.TestCase):
    def test_prepare_then_dry_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / 'gpu-data'
            subprocess.run([sys.executable, str(JOB), 'prepare', '--to', str(data)], check=True, capture_output=True)
            files = [p for p in data.rglob('*') if p.is_file()]
            self.assertLessEqual(sum(p.stat().st_size for p in files), 40e6)
            # train.py and evaluate.py find everything they need there, through SWINUP_SHARED.
            with mock.patch.dict(os.environ, {'SWINUP_SHARED': str(data)}):
                self.assertEqual([d.name for d in default_dirs()], sorted(gpu_job.TRAIN_FOLDERS))
                self.assertEqual(len(set5(4)), 5)
                self.assertEqual(len(set5(2)), 5)
            out = subprocess.run([sys.executable, str(JOB), 'run', '--dry-run', '--data', str(data)],
                                 cwd=REPO, check=True, capture_output=True, text=True).stdout
        for path in files:
            self.assertIn(str(path.relative_to(data)), out)
        self.assertIn(f'{len(files)} files, ', out)
        command = out.splitlines()[-1]
        self.assertTrue(command.startswith(f'command: SWINUP_SHARED={data} '), command)
        for part in ('models/training/train.py', '--device cuda', '--minutes 8', '--batch 64',
                     f'--init {gpu_job.bundled_weights().relative_to(REPO)}'):
            self.assertIn(part, command)
        self.assertTrue(gpu_job.bundled_weights().exists())


if __name__ == '__main__':
    unittest.main()
