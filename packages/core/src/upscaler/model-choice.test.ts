import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../logger.js';
import { isTip } from '../models/model-tip.js';
import type { ModelDownloadProgress, UpscalerOptions } from '../options.js';
import { resolveUpscalerOptions } from '../options.js';
import { useModelChoice } from '../test-support/model-choice-fixture.js';
import { failure } from '../test-support/model-store-fixture.js';
import { availableModels } from './model-resolution.js';
import { createUpscaler, type Upscaler } from './upscaler.js';

const store = useModelChoice();
const open: Upscaler[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((u) => u.close()));
});

/** An upscaler on the test catalog and cache, with the info lines it logged about models. */
async function upscalerWith(options: UpscalerOptions = {}) {
  const infos: string[] = [];
  // The device choice's own line is not about models.
  const logger: Logger = {
    debug() {},
    info: (m) => {
      if (!/^inference runs on/.test(m)) infos.push(m);
    },
    warn() {},
  };
  const upscaler = await createUpscaler({ catalog: store.catalog, device: 'cpu', logger, ...options });
  open.push(upscaler);
  return { upscaler, infos, tips: infos.filter(isTip) };
}

const byScaleIds = async (options: UpscalerOptions = {}) => {
  const { byScale } = await availableModels(resolveUpscalerOptions({ catalog: store.catalog, ...options }));
  return Object.fromEntries([...byScale].map(([scale, model]) => [scale, model.handle.id]));
};

describe('the model chosen when none is named', () => {
  it('runs the bundled default when nothing better is installed', async () => {
    expect(await byScaleIds()).toEqual({ 4: 'test-s-x4' });
  });

  it('takes the best installed model of each scale over the bundled one, with no tip', async () => {
    store.install('test-official-x4');
    store.install('test-x2-b');
    store.install('test-x2-a');
    const { upscaler, tips } = await upscalerWith();
    expect([upscaler.model, upscaler.scale]).toEqual(['test-official-x4', 4]);
    expect(tips).toEqual([]);
    expect(await byScaleIds()).toEqual({ 4: 'test-official-x4', 2: 'test-x2-a' });
    store.install('test-large-x4');
    expect(await byScaleIds()).toEqual({ 4: 'test-large-x4', 2: 'test-x2-a' });
    expect(store.requests).toEqual([]);
  });
});

describe('the passes of a scale', () => {
  const image = { create: { width: 12, height: 10, channels: 3 as const, background: '#40a0e0' } };
  const passesOf = async (scale: number) => {
    const { upscaler } = await upscalerWith();
    const { info } = await upscaler.upscale(await sharp(image).png().toBuffer(), { scale });
    return { width: info.width, passes: info.passes, models: info.models };
  };

  it('×3 runs ×4 then Lanczos, until a ×3 model is installed; ×8 runs ×4 then ×2 once a ×2 is', async () => {
    expect(await passesOf(3)).toEqual({ width: 36, passes: [4], models: ['test-s-x4'] });
    expect(await passesOf(8)).toEqual({ width: 96, passes: [4, 4], models: ['test-s-x4', 'test-s-x4'] });
    store.install('test-x3');
    store.install('test-x2-a');
    expect(await passesOf(3)).toEqual({ width: 36, passes: [3], models: ['test-x3'] });
    expect(await passesOf(8)).toEqual({ width: 96, passes: [4, 2], models: ['test-s-x4', 'test-x2-a'] });
    expect(await passesOf(2)).toEqual({ width: 24, passes: [2], models: ['test-x2-a'] });
    expect(store.requests).toEqual([]);
  });
});

describe('a named model that is not installed', () => {
  it('is pulled (verified, with progress) and not downloaded again; no tip when a model is named', async () => {
    const progress: ModelDownloadProgress[] = [];
    const first = await upscalerWith({ model: 'test-official-x4', onDownload: (p) => progress.push(p) });
    expect(first.upscaler.model).toBe('test-official-x4');
    expect(store.requests).toEqual(['classical_x4_small.pth']);
    const url = `${store.base}/classical_x4_small.pth`;
    const total = progress[0]?.total as number;
    expect(progress[0]).toEqual({ id: 'test-official-x4', url, done: 0, total });
    expect(progress.at(-1)).toEqual({ id: 'test-official-x4', url, done: total, total });
    expect(first.infos).toEqual([
      expect.stringMatching(
        /^installed model test-official-x4 → .*classical_x4_small\.pth \(3\.0 MB, sha256 verified\)$/,
      ),
    ]);
    expect(existsSync(join(store.cacheDir, 'models', 'test-official-x4', 'classical_x4_small.pth'))).toBe(
      true,
    );
    const second = await upscalerWith({ model: 'test-official-x4' });
    expect(second.upscaler.model).toBe('test-official-x4');
    expect(second.infos).toEqual([]);
    expect(store.requests).toHaveLength(1);
  });

  it('stops the download when the signal aborts: nothing installed, no temporary file left', async () => {
    const controller = new AbortController();
    const error = await failure(
      upscalerWith({
        model: 'test-official-x4',
        signal: controller.signal,
        onDownload: ({ done }) => done > 0 && controller.abort(),
      }),
    );
    expect(error.code).toBe('ABORTED');
    expect(error.message).toContain('download of model "test-official-x4"');
    expect(store.requests).toEqual(['classical_x4_small.pth']);
    const models = join(store.cacheDir, 'models');
    expect(
      existsSync(models)
        ? readdirSync(models, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
        : [],
    ).toEqual([]);
    const aborted = AbortSignal.abort();
    expect((await failure(upscalerWith({ model: 'test-official-x4', signal: aborted }))).code).toBe(
      'ABORTED',
    );
    expect(store.requests).toHaveLength(1);
  });

  it('reports the download through the logger when there is no onDownload', async () => {
    const { infos } = await upscalerWith({ model: 'test-x2-a' });
    expect(infos[0]).toBe(`downloading model test-x2-a (17.1 MB) from ${store.base}/lightweight_x2.pth`);
    expect(infos.at(-1)).toMatch(/^installed model test-x2-a → /);
    // Throttled: a start line, at most one line per tenth, the installed line.
    expect(infos.length).toBeLessThanOrEqual(11);
  });

  it.each([
    ['the offline option', { offline: true }, ''],
    ['SWINUP_OFFLINE=1', {}, '1'],
    ['SWINUP_OFFLINE=true', {}, 'true'],
  ])('is refused offline (%s) with the commands that install it', async (_, options, env) => {
    vi.stubEnv('SWINUP_OFFLINE', env);
    const error = await failure(upscalerWith({ model: 'test-official-x4', ...options }));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('offline mode is on');
    expect(error.message).toContain('`swinup models pull test-official-x4`');
    expect(error.message).toContain('`swinup models import <file>`');
    expect(store.requests).toEqual([]);
    expect(readdirSync(store.cacheDir)).not.toContain('models');
  });

  it('downloads when the option turns offline mode off over SWINUP_OFFLINE', async () => {
    vi.stubEnv('SWINUP_OFFLINE', '1');
    expect((await upscalerWith({ model: 'test-official-x4', offline: false })).upscaler.model).toBe(
      'test-official-x4',
    );
    await expect(upscalerWith({ model: 'test-official-x4', offline: 'yes' as never })).rejects.toThrow(
      /^Invalid option offline: "yes"; expected true or false$/,
    );
    vi.stubEnv('SWINUP_OFFLINE', 'maybe');
    await expect(upscalerWith()).rejects.toThrow(/^Invalid option SWINUP_OFFLINE: "maybe"/);
  });
});

describe('the better-model tip', () => {
  it('is logged once per process when the bundled default runs, however many upscalers', async () => {
    const first = await upscalerWith();
    const second = await upscalerWith();
    expect(first.upscaler.model).toBe('test-s-x4');
    expect(first.tips).toEqual([
      'tip: test-official-x4 (Set5 32.44 dB vs 30.22, 3.0 MB) is available: npx swinup models pull test-official-x4',
    ]);
    expect(second.tips).toEqual([]);
  });

  it('is not logged offline, nor when a model is named', async () => {
    expect((await upscalerWith({ offline: true })).tips).toEqual([]);
    expect((await upscalerWith({ model: 'test-s-x4' })).tips).toEqual([]);
    // The rule above is once per process: these two did not use it up.
    expect((await upscalerWith()).tips).toHaveLength(1);
  });
});
