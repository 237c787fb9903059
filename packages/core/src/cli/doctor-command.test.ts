import { describe, expect, it } from 'vitest';
import { cudaProviderFiles } from '../runtime/cuda-provider-files.js';
import type { CommandIO } from './command-io.js';
import { type DoctorProbes, doctorCommand } from './doctor-command.js';

const NO_CUDA = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';

/** A CPU-only Linux machine whose onnxruntime-node lacks the CUDA files, whatever this one has. */
const cpuOnly: DoctorProbes = {
  probe: async (provider) => (provider === 'cuda' ? { ok: false, reason: NO_CUDA } : { ok: true }),
  cudaFiles: () =>
    cudaProviderFiles({ platform: 'linux', arch: 'x64', binDir: '/ort/bin', exists: () => false }),
};

async function doctor(...argv: string[]) {
  const out: string[] = [];
  const io: CommandIO = {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    progress() {},
    interactive: false,
  };
  expect(await doctorCommand(argv, io, cpuOnly)).toBe(0);
  return out;
}

describe('swinup doctor', () => {
  it('says the CUDA provider files are missing, how to get them, and what auto picks', async () => {
    const text = (await doctor()).join('\n');
    expect(text).toContain(`provider cuda: unavailable (${NO_CUDA})`);
    expect(text).toContain(`device auto: inference runs on cpu (cuda unavailable: ${NO_CUDA})`);
    expect(text).toContain('cuda provider files: missing from /ort/bin (libonnxruntime_providers_cuda.so');
    expect(text).toContain(
      'get them: npm install-scripts approve onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node',
    );
    expect(text).toMatch(/NVIDIA GPU and driver .*CUDA 12 runtime and cuDNN 9/);
  });

  it('reports the same in JSON', async () => {
    const report = JSON.parse((await doctor('--json')).join('\n'));
    expect(report.auto).toBe(`inference runs on cpu (cuda unavailable: ${NO_CUDA})`);
    expect(report.cudaProviderFiles).toMatchObject({ supported: true, dir: '/ort/bin', present: [] });
    expect(report.cudaProviderFiles.missing).toContain('libonnxruntime_providers_cuda.so');
  });
});
