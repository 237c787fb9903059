import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryFolder } from '../test-support/fixture-images.js';
import {
  CUDA_FILES_INSTALL_COMMAND,
  cudaProviderAdvice,
  cudaProviderFiles,
  onnxruntimeBinDir,
} from './cuda-provider-files.js';

const linux = { platform: 'linux', arch: 'x64' } as const;

describe('cudaProviderFiles', () => {
  it('lists the missing files of an onnxruntime-node without its postinstall downloads', () => {
    const binDir = temporaryFolder('ort-bin');
    writeFileSync(join(binDir, 'libonnxruntime.so.1'), '');
    const files = cudaProviderFiles({ ...linux, binDir });
    expect(files).toEqual({
      supported: true,
      dir: binDir,
      present: [],
      missing: ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'],
    });
  });

  it('finds files that are in place', () => {
    const binDir = temporaryFolder('ort-bin');
    for (const f of ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'])
      writeFileSync(join(binDir, f), '');
    expect(cudaProviderFiles({ ...linux, binDir }).missing).toEqual([]);
  });

  it('reports every file missing when onnxruntime-node is not found', () => {
    const files = cudaProviderFiles({ ...linux, binDir: undefined });
    expect(files.dir).toBeUndefined();
    expect(files.missing).toHaveLength(2);
  });

  it('knows that only Linux x64 has a CUDA provider', () => {
    expect(cudaProviderFiles({ platform: 'darwin', arch: 'arm64', binDir: '/x' }).supported).toBe(false);
  });

  it('resolves the installed package folder core loads the binding from', () => {
    expect(onnxruntimeBinDir('linux', 'x64')).toMatch(
      /onnxruntime-node[/\\]bin[/\\]napi-v\d+[/\\]linux[/\\]x64$/,
    );
  });
});

describe('cudaProviderAdvice', () => {
  it('tells how to get missing files and what else CUDA needs', () => {
    const lines = cudaProviderAdvice(
      cudaProviderFiles({ ...linux, binDir: '/ort', exists: () => false }),
      false,
    );
    expect(lines[0]).toBe(
      'cuda provider files: missing from /ort (libonnxruntime_providers_cuda.so, libonnxruntime_providers_shared.so)',
    );
    const text = lines.join('\n');
    expect(text).toContain(CUDA_FILES_INSTALL_COMMAND);
    expect(text).toContain('npm install-scripts approve onnxruntime-node');
    expect(text).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node');
    expect(text).toMatch(/nvidia-smi.*CUDA 12.*cuDNN 9/);
  });

  it('points at the driver and libraries when the files are there but CUDA does not load', () => {
    const present = cudaProviderFiles({ ...linux, binDir: '/ort', exists: () => true });
    expect(cudaProviderAdvice(present, true)).toEqual(['cuda provider files: present in /ort']);
    expect(cudaProviderAdvice(present, false)[1]).toMatch(/still needs an NVIDIA GPU and driver/);
  });
});
