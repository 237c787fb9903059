import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCheckpoint } from '../compiler.js';
import {
  FILE,
  failure,
  filesUnder,
  fixture,
  fixtureSha,
  useModelStore,
} from '../test-support/model-store-fixture.js';
import { listModels } from './list-models.js';
import { requireEntry } from './model-catalog.js';
import type { DownloadProgress } from './model-download.js';
import { isInstalled } from './model-layout.js';
import { pullModel } from './pull-model.js';
import { verifyModel } from './verify-model.js';

const store = useModelStore();

describe('pullModel', () => {
  it('downloads through a redirect, verifies, installs, lists and compiles', async () => {
    const entry = requireEntry(store.catalog, 'test-x2');
    const progress: DownloadProgress[] = [];
    const result = await pullModel('test-x2', {
      ...store.options('redirect'),
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ alreadyInstalled: false, sha256: fixtureSha, verifiedBy: 'sha256' });
    expect(result.path).toBe(join(store.cacheDir, 'models', 'test-x2', FILE));
    expect(filesUnder(store.cacheDir).sort()).toEqual([
      'models',
      join('models', 'test-x2'),
      join('models', 'test-x2', FILE),
    ]);
    expect(readFileSync(result.path).equals(fixture)).toBe(true);
    expect(progress.at(-1)).toEqual({ done: fixture.length, total: fixture.length });
    expect(store.warnings).toEqual([]);
    expect(isInstalled(entry, store.catalog, store.cacheDir)).toBe(true);
    expect(listModels(store.options('ok')).find((m) => m.id === 'test-x2')).toMatchObject({
      installed: true,
      origin: 'download',
      size: fixture.length,
    });
    const compiled = compileCheckpoint(readFileSync(result.path), { shape: [1, 3, 8, 8] });
    expect(compiled.config.upscale).toBe(2);
    expect(await verifyModel('test-x2', store.options('ok'))).toMatchObject({ ok: true, method: 'sha256' });
    expect(await pullModel('test-x2', store.options('ok'))).toMatchObject({ alreadyInstalled: true });
  });

  it('refuses an id the catalog does not have, suggesting the near ones', async () => {
    await expect(pullModel('test-x', store.options('ok'))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringContaining('Did you mean test-x2, test-x2-unhashed?'),
    });
  });

  it('refuses a tampered file and leaves nothing behind', async () => {
    const error = await failure(pullModel('test-x2', store.options('tampered')));
    expect(error.code).toBe('MODEL_VERIFY_FAILED');
    expect(error.message).toContain(`expected ${fixtureSha}`);
    expect(filesUnder(store.cacheDir)).toEqual([]);
  });

  it('refuses a truncated download and leaves nothing behind', async () => {
    const error = await failure(pullModel('test-x2', store.options('truncated')));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain(`${store.base}/truncated/${FILE}`);
    expect(error.message).toContain(`of ${fixture.length} bytes`);
    expect(filesUnder(store.cacheDir)).toEqual([]);
  });

  it('names the URL and `import` when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const error = await failure(
      pullModel('test-x2', {
        ...store.options('ok'),
        env: { SWINUP_MODELS_BASE_URL: `http://127.0.0.1:${port}` },
      }),
    );
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain(`http://127.0.0.1:${port}/${FILE}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('swinup models import <file> --id test-x2');
    expect(filesUnder(store.cacheDir)).toEqual([]);
  });

  it('reports an HTTP error status', async () => {
    const error = await failure(pullModel('test-x2', store.options('missing')));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain('404');
    expect(filesUnder(store.cacheDir)).toEqual([]);
  });

  it('stops on abort and removes the partial file', async () => {
    const controller = new AbortController();
    const error = await failure(
      pullModel('test-x2', {
        ...store.options('ok'),
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    expect(error.code).toBe('ABORTED');
    expect(filesUnder(store.cacheDir)).toEqual([]);
  });

  it('verifies a model without a catalog hash by size, with a warning', async () => {
    const result = await pullModel('test-x2-unhashed', store.options('ok'));
    expect(result).toMatchObject({ alreadyInstalled: false, verifiedBy: 'size' });
    expect(store.warnings).toEqual([expect.stringContaining('no SHA-256 for model "test-x2-unhashed"')]);
    expect(await verifyModel('test-x2-unhashed', store.options('ok'))).toMatchObject({
      ok: true,
      method: 'size',
    });
  });
});
