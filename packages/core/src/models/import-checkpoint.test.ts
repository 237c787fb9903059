import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE, failure, filesUnder, useModelStore } from '../test-support/model-store-fixture.js';
import { sharedPath } from '../test-support/shared-data.js';
import { importCheckpoint } from './import-checkpoint.js';
import { listModels } from './list-models.js';
import { requireEntry } from './model-catalog.js';
import { isInstalled } from './model-layout.js';
import { importedModel, importedModelHandle } from './model-manifest.js';
import { verifyModel } from './verify-model.js';

const store = useModelStore();

describe('importCheckpoint', () => {
  it('installs a checkpoint outside the catalog with a model.json, usable by id', async () => {
    const file = sharedPath('fixtures/swinir/classical_x3_small.pth');
    const result = await importCheckpoint(file, store.options('ok'));
    expect(result).toMatchObject({ id: 'classical_x3_small', catalogModel: false, scale: 3, task: 'sr' });
    expect(result.path).toBe(join(store.cacheDir, 'models', 'classical_x3_small', 'classical_x3_small.pth'));
    expect(importedModel('classical_x3_small', store.cacheDir)).toMatchObject({
      id: 'classical_x3_small',
      file: 'classical_x3_small.pth',
      sha256: result.sha256,
      scale: 3,
      task: 'sr',
      importedFrom: file,
    });
    expect(importedModelHandle('classical_x3_small', store.cacheDir)).toEqual({
      id: 'classical_x3_small',
      checkpointPath: result.path,
      entry: undefined,
      imgRange: 1,
    });
    expect(listModels(store.options('ok')).find((m) => m.id === 'classical_x3_small')).toMatchObject({
      origin: 'imported',
      installed: true,
      scale: 3,
    });
    expect(await verifyModel('classical_x3_small', store.options('ok'))).toMatchObject({
      ok: true,
      method: 'sha256',
    });
  });

  it('refuses a model.json whose file points outside the model folder', async () => {
    await importCheckpoint(sharedPath('fixtures/swinir/classical_x3_small.pth'), store.options('ok'));
    const manifest = join(store.cacheDir, 'models', 'classical_x3_small', 'model.json');
    const record = JSON.parse(readFileSync(manifest, 'utf8'));
    for (const file of ['../../../etc/passwd', '/etc/passwd', '..']) {
      writeFileSync(manifest, JSON.stringify({ ...record, file }));
      expect(() => importedModelHandle('classical_x3_small', store.cacheDir)).toThrow(
        /points outside its folder/,
      );
    }
  });

  it('guesses the denoising task and honours --id', async () => {
    const result = await importCheckpoint(sharedPath('fixtures/swinir/color_dn_small.pth'), {
      ...store.options('ok'),
      id: 'my-denoiser',
    });
    expect(result).toMatchObject({ id: 'my-denoiser', scale: 1, task: 'denoise' });
  });

  it('installs a file with a catalog hash as that catalog model', async () => {
    const result = await importCheckpoint(sharedPath('fixtures/swinir', FILE), store.options('ok'));
    expect(result).toMatchObject({ id: 'test-x2', catalogModel: true });
    expect(isInstalled(requireEntry(store.catalog, 'test-x2'), store.catalog, store.cacheDir)).toBe(true);
  });

  it('refuses another file under a catalog id', async () => {
    const file = sharedPath('fixtures/swinir/classical_x3_small.pth');
    const error = await failure(importCheckpoint(file, { ...store.options('ok'), id: 'test-x2' }));
    expect(error.code).toBe('MODEL_VERIFY_FAILED');
    expect(error.message).toContain('another --id');
    expect(filesUnder(store.cacheDir)).toEqual([]);
  });

  it('refuses a file that is not a SwinIR checkpoint, naming it', async () => {
    const file = join(store.root, 'notes.pth');
    writeFileSync(file, 'not a checkpoint at all');
    const error = await failure(importCheckpoint(file, store.options('ok')));
    expect(error.code).toBe('CHECKPOINT_FORMAT');
    expect(error.message).toContain(file);
    const text = join(store.root, 'notes.txt');
    writeFileSync(text, 'hello');
    expect((await failure(importCheckpoint(text, store.options('ok')))).code).toBe('INVALID_OPTION');
    expect(filesUnder(store.cacheDir)).toEqual([]);
  });
});
