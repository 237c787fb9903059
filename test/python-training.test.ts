import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const INSTALL = 'apt-get install -y python3-torch libopenblas0-pthread python3-numpy python3-pil';

describe('models/training (PyTorch)', () => {
  it('reproduces the golden fixtures, the MATLAB bicubic LR images, the bicubic PSNR, and trains (smoke run)', () => {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy, PIL'], { encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`python3-torch is missing: ${INSTALL}`);
    const run = spawnSync(
      '/usr/bin/python3',
      ['-m', 'unittest', 'discover', '-s', 'models/training/tests', '-t', '.'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).toMatch(/Ran \d+ tests/);
    expect(run.stderr).toMatch(/\nOK/);
  });
});
