import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryFolder } from '../test-support/fixture-images.js';
import { sharedPath } from '../test-support/shared-data.js';
import { createUpscaler } from '../upscaler/upscaler.js';
import { catalogPath, defaultModelsDir, loadCatalog } from './model-catalog.js';

const work = temporaryFolder('catalog');
const tinyCheckpoint = sharedPath('fixtures/swinir/lightweight_x2.pth');
const bird = sharedPath('images/set5/LR_bicubic/X4/birdx4.png');

/** A catalog of one bundled model in `dir`, its weights copied beside it. */
function ownCatalog(dir: string, id: string): string {
  mkdirSync(join(dir, 'weights'), { recursive: true });
  copyFileSync(tinyCheckpoint, join(dir, 'weights/tiny.pth'));
  const entry = {
    id,
    task: 'sr',
    scale: 2,
    imgRange: 1,
    source: { kind: 'bundled', file: 'weights/tiny.pth' },
  };
  const file = join(dir, 'my-catalog.json');
  writeFileSync(file, JSON.stringify({ defaults: { sr: id }, models: [entry] }));
  return file;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('where the catalog comes from', () => {
  it('is the @swinup/models package, found by Node resolution from core', () => {
    const dir = defaultModelsDir({});
    expect(dir).toBe(dirname(catalogPath({}, {})));
    expect(loadCatalog(dir).defaults.sr).toBe('swinup-s-x4');
    const bundled = loadCatalog(dir).models.find((m) => m.id === 'swinup-s-x4');
    expect(bundled?.source).toMatchObject({ kind: 'bundled', file: expect.stringMatching(/\.safetensors$/) });
  });

  it('is SWINUP_MODELS_DIR when set', () => {
    expect(defaultModelsDir({ SWINUP_MODELS_DIR: '/opt/my-models' })).toBe('/opt/my-models');
  });

  it('is a catalog file when given one, with its bundled files relative to it', async () => {
    const file = ownCatalog(join(work, 'own'), 'my-x2');
    expect(loadCatalog({ catalog: file }).modelsDir).toBe(join(work, 'own'));
    const upscaler = await createUpscaler({ catalog: file, device: 'cpu', cacheDir: join(work, 'cache') });
    try {
      const { info } = await upscaler.upscale(bird, { scale: 2 });
      expect(info).toMatchObject({ width: 144, height: 144, models: ['my-x2'] });
    } finally {
      await upscaler.close();
    }
  });

  it('names the file and what to do when a catalog cannot be read', () => {
    expect(() => loadCatalog({ modelsDir: join(work, 'nowhere') })).toThrow(
      /cannot read the model catalog .*nowhere\/catalog\.json/,
    );
  });

  it('is never read when the model is a checkpoint path', async () => {
    const upscaler = await createUpscaler({
      model: tinyCheckpoint,
      modelsDir: join(work, 'no-such-folder'),
      device: 'cpu',
      cacheDir: join(work, 'cache'),
    });
    try {
      const { info } = await upscaler.upscale(bird, { scale: 2 });
      expect([info.width, info.height]).toEqual([144, 144]);
    } finally {
      await upscaler.close();
    }
  });
});
