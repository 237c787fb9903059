import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compiledGraph } from '../cache/compiled-graphs.js';
import { failure, filesUnder, useModelStore } from '../test-support/model-store-fixture.js';
import { sharedPath } from '../test-support/shared-data.js';
import { importCheckpoint } from './import-checkpoint.js';
import { listModels } from './list-models.js';
import { pullModel } from './pull-model.js';
import { removeModel } from './remove-model.js';
import { verifyModel } from './verify-model.js';

const store = useModelStore();

describe('removeModel', () => {
  it('removes pulled and imported models with their compiled graphs, and refuses unknown ids', async () => {
    const pulled = await pullModel('test-x2', store.options('ok'));
    await importCheckpoint(sharedPath('fixtures/swinir/classical_x3_small.pth'), store.options('ok'));
    const handle = { id: 'test-x2', checkpointPath: pulled.path, entry: undefined, imgRange: undefined };
    const variant = { fused: false, precision: 'fp32', float16Weights: false } as const;
    await compiledGraph(handle, [1, 3, 16, 16], store.cacheDir, variant);
    await compiledGraph(handle, [1, 3, 24, 16], store.cacheDir, { ...variant, precision: 'int8' });
    expect(filesUnder(join(store.cacheDir, 'compiled'))).toHaveLength(4);
    await removeModel('test-x2', store.options('ok'));
    await removeModel('classical_x3_small', store.options('ok'));
    expect(filesUnder(join(store.cacheDir, 'models'))).toEqual([]);
    expect(filesUnder(join(store.cacheDir, 'compiled'))).toEqual([]);
    expect(listModels(store.options('ok')).filter((m) => m.installed)).toEqual([]);
    expect((await failure(removeModel('test-x2', store.options('ok')))).code).toBe('MODEL_NOT_FOUND');
    expect((await failure(removeModel('../escape', store.options('ok')))).code).toBe('INVALID_OPTION');
    expect((await failure(verifyModel('test-x2', store.options('ok')))).code).toBe('MODEL_NOT_FOUND');
  });
});
