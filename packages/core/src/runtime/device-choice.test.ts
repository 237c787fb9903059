import { describe, expect, it } from 'vitest';
import type { SwinupError } from '../errors.js';
import type { Logger } from '../logger.js';
import { chooseDevice, loadProviderCheck, type ProviderCheck } from './device-choice.js';

const NO_CUDA = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';

/** A machine whose CUDA provider fails to load (or loads), whatever this one has. */
function machine(cuda: boolean): ProviderCheck {
  return async (provider) => {
    if (provider === 'cuda' && !cuda) throw new Error(`${NO_CUDA}\n    at native frames`);
  };
}

function recorder() {
  const lines = { debug: [] as string[], info: [] as string[], warn: [] as string[] };
  const logger: Logger = {
    debug: (m) => lines.debug.push(m),
    info: (m) => lines.info.push(m),
    warn: (m) => lines.warn.push(m),
  };
  return { lines, logger };
}

describe('chooseDevice', () => {
  it('auto on a CPU-only machine: no warning, one info line naming the provider, the reason at debug', async () => {
    const { lines, logger } = recorder();
    expect(await chooseDevice('auto', logger, machine(false))).toBe('cpu');
    expect(lines.warn).toEqual([]);
    expect(lines.info).toEqual(['inference runs on cpu']);
    expect(lines.debug).toEqual([`inference runs on cpu (cuda unavailable: ${NO_CUDA})`]);
  });

  it('auto with CUDA: one info line', async () => {
    const { lines, logger } = recorder();
    expect(await chooseDevice('auto', logger, machine(true))).toBe('cuda');
    expect(lines).toEqual({ debug: [], info: ['inference runs on cuda'], warn: [] });
  });

  it('an explicit cuda request fails with the install hint instead of falling back', async () => {
    const { lines, logger } = recorder();
    const error = (await chooseDevice('cuda', logger, machine(false)).catch(
      (e: unknown) => e,
    )) as SwinupError;
    expect(error.code).toBe('DEVICE_UNAVAILABLE');
    expect(error.message).toContain(`no execution provider could run on device "cuda" (cuda: ${NO_CUDA})`);
    expect(error.message).toContain(
      'npm install-scripts approve onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node',
    );
    expect(error.message).toMatch(/nvidia-smi/);
    expect(lines).toEqual({ debug: [], info: [], warn: [] });
  });

  it('cpu never tries CUDA', async () => {
    const { lines, logger } = recorder();
    const tried: string[] = [];
    await chooseDevice('cpu', logger, async (p) => void tried.push(p));
    expect(tried).toEqual(['cpu']);
    expect(lines.info).toEqual(['inference runs on cpu']);
  });

  it('the real check accepts the built-in CPU provider', async () => {
    await expect(loadProviderCheck('cpu')).resolves.toBeUndefined();
  });
});
