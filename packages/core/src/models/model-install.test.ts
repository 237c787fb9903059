import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileCheckpoint } from '../compiler.js';
import { SwinupError } from '../errors.js';
import type { Logger } from '../logger.js';
import { sharedPath } from '../test-support/shared-data.js';
import { type Catalog, loadCatalog, requireEntry } from './model-catalog.js';
import type { DownloadProgress } from './model-download.js';
import {
  importCheckpoint,
  importedModel,
  importedModelHandle,
  listModels,
  type ModelStoreOptions,
  pullModel,
  removeModel,
  verifyModel,
} from './model-install.js';
import { compiledGraph, isInstalled } from './model-store.js';

const FILE = 'lightweight_x2.pth';
const fixture = readFileSync(sharedPath('fixtures/swinir', FILE));
const fixtureSha = createHash('sha256').update(fixture).digest('hex');

/** Routes: /ok, /tampered (one byte changed), /truncated (cut halfway), /redirect (302 to /ok), else 404. */
function serve(request: string, response: import('node:http').ServerResponse): void {
  const [, route, file] = request.split('/');
  if (file !== FILE) {
    response.writeHead(404).end();
  } else if (route === 'redirect') {
    response.writeHead(302, { location: `/ok/${file}` }).end();
  } else if (route === 'ok' || route === 'tampered') {
    const body = Buffer.from(fixture);
    if (route === 'tampered') body[body.length >> 1] = (body[body.length >> 1] as number) ^ 0xff;
    response.writeHead(200, { 'content-length': body.length }).end(body);
  } else if (route === 'truncated') {
    response.writeHead(200, { 'content-length': fixture.length });
    response.write(fixture.subarray(0, fixture.length >> 1), () => response.destroy());
  } else {
    response.writeHead(404).end();
  }
}

function catalogEntry(id: string, sha256: string | null) {
  return {
    id,
    title: `test ${id}`,
    task: 'sr',
    scale: 2,
    arch: { window_size: 8, in_chans: 3 },
    imgRange: 1,
    source: { kind: 'url', url: `https://example.invalid/releases/download/v0.0/${FILE}`, file: FILE },
    size: fixture.length,
    sha256,
    sha256Source: 'test',
    stateDictKey: 'params',
    license: 'Apache-2.0',
    published: null,
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

async function failure(promise: Promise<unknown>): Promise<SwinupError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SwinupError);
  return error as SwinupError;
}

const root = mkdtempSync(join(tmpdir(), 'swinup-install-'));
let server: Server;
let base: string;
let catalog: Catalog;
let cacheDir: string;
let warnings: string[];
let options: (route: string) => ModelStoreOptions;

beforeAll(async () => {
  server = createServer((request, response) => serve(request.url ?? '', response));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const modelsDir = join(root, 'catalog');
  mkdirSync(modelsDir);
  writeFileSync(
    join(modelsDir, 'catalog.json'),
    JSON.stringify({
      schema: 1,
      defaults: {},
      models: [catalogEntry('test-x2', fixtureSha), catalogEntry('test-x2-unhashed', null)],
    }),
  );
  catalog = loadCatalog(modelsDir);
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  cacheDir = mkdtempSync(join(root, 'cache-'));
  warnings = [];
  const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m) };
  options = (route) => ({ catalog, cacheDir, logger, env: { SWINUP_MODELS_BASE_URL: `${base}/${route}/` } });
});

describe('pullModel', () => {
  it('downloads through a redirect, verifies, installs, lists and compiles', async () => {
    const entry = requireEntry(catalog, 'test-x2');
    const progress: DownloadProgress[] = [];
    const result = await pullModel(entry, { ...options('redirect'), onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ alreadyInstalled: false, sha256: fixtureSha, verifiedBy: 'sha256' });
    expect(result.path).toBe(join(cacheDir, 'models', 'test-x2', FILE));
    expect(filesUnder(cacheDir).sort()).toEqual([
      'models',
      join('models', 'test-x2'),
      join('models', 'test-x2', FILE),
    ]);
    expect(readFileSync(result.path).equals(fixture)).toBe(true);
    expect(progress.at(-1)).toEqual({ done: fixture.length, total: fixture.length });
    expect(warnings).toEqual([]);
    expect(isInstalled(entry, catalog, cacheDir)).toBe(true);
    expect(listModels(options('ok')).find((m) => m.id === 'test-x2')).toMatchObject({
      installed: true,
      origin: 'download',
      size: fixture.length,
    });
    const compiled = compileCheckpoint(readFileSync(result.path), { shape: [1, 3, 8, 8] });
    expect(compiled.config.upscale).toBe(2);
    expect(await verifyModel('test-x2', options('ok'))).toMatchObject({ ok: true, method: 'sha256' });
    expect(await pullModel(entry, options('ok'))).toMatchObject({ alreadyInstalled: true });
  });

  it('refuses a tampered file and leaves nothing behind', async () => {
    const error = await failure(pullModel(requireEntry(catalog, 'test-x2'), options('tampered')));
    expect(error.code).toBe('MODEL_VERIFY_FAILED');
    expect(error.message).toContain(`expected ${fixtureSha}`);
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('refuses a truncated download and leaves nothing behind', async () => {
    const error = await failure(pullModel(requireEntry(catalog, 'test-x2'), options('truncated')));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain(`${base}/truncated/${FILE}`);
    expect(error.message).toContain(`of ${fixture.length} bytes`);
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('names the URL and `import` when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const error = await failure(
      pullModel(requireEntry(catalog, 'test-x2'), {
        ...options('ok'),
        env: { SWINUP_MODELS_BASE_URL: `http://127.0.0.1:${port}` },
      }),
    );
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain(`http://127.0.0.1:${port}/${FILE}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('swinup models import <file> --id test-x2');
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('reports an HTTP error status', async () => {
    const error = await failure(pullModel(requireEntry(catalog, 'test-x2'), options('missing')));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain('404');
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('stops on abort and removes the partial file', async () => {
    const controller = new AbortController();
    const error = await failure(
      pullModel(requireEntry(catalog, 'test-x2'), {
        ...options('ok'),
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    expect(error.code).toBe('ABORTED');
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('verifies a model without a catalog hash by size, with a warning', async () => {
    const result = await pullModel(requireEntry(catalog, 'test-x2-unhashed'), options('ok'));
    expect(result).toMatchObject({ alreadyInstalled: false, verifiedBy: 'size' });
    expect(warnings).toEqual([expect.stringContaining('no SHA-256 for model "test-x2-unhashed"')]);
    expect(await verifyModel('test-x2-unhashed', options('ok'))).toMatchObject({ ok: true, method: 'size' });
  });
});

describe('importCheckpoint', () => {
  it('installs a checkpoint outside the catalog with a model.json, usable by id', async () => {
    const file = sharedPath('fixtures/swinir/classical_x3_small.pth');
    const result = await importCheckpoint(file, options('ok'));
    expect(result).toMatchObject({ id: 'classical_x3_small', catalogModel: false, scale: 3, task: 'sr' });
    expect(result.path).toBe(join(cacheDir, 'models', 'classical_x3_small', 'classical_x3_small.pth'));
    expect(importedModel('classical_x3_small', cacheDir)).toMatchObject({
      id: 'classical_x3_small',
      file: 'classical_x3_small.pth',
      sha256: result.sha256,
      scale: 3,
      task: 'sr',
      importedFrom: file,
    });
    expect(importedModelHandle('classical_x3_small', cacheDir)).toEqual({
      id: 'classical_x3_small',
      checkpointPath: result.path,
      entry: undefined,
      imgRange: 1,
    });
    expect(listModels(options('ok')).find((m) => m.id === 'classical_x3_small')).toMatchObject({
      origin: 'imported',
      installed: true,
      scale: 3,
    });
    expect(await verifyModel('classical_x3_small', options('ok'))).toMatchObject({
      ok: true,
      method: 'sha256',
    });
  });

  it('refuses a model.json whose file points outside the model folder', async () => {
    await importCheckpoint(sharedPath('fixtures/swinir/classical_x3_small.pth'), options('ok'));
    const manifest = join(cacheDir, 'models', 'classical_x3_small', 'model.json');
    const record = JSON.parse(readFileSync(manifest, 'utf8'));
    for (const file of ['../../../etc/passwd', '/etc/passwd', '..']) {
      writeFileSync(manifest, JSON.stringify({ ...record, file }));
      expect(() => importedModelHandle('classical_x3_small', cacheDir)).toThrow(/points outside its folder/);
    }
  });

  it('guesses the denoising task and honours --id', async () => {
    const result = await importCheckpoint(sharedPath('fixtures/swinir/color_dn_small.pth'), {
      ...options('ok'),
      id: 'my-denoiser',
    });
    expect(result).toMatchObject({ id: 'my-denoiser', scale: 1, task: 'denoise' });
  });

  it('installs a file with a catalog hash as that catalog model', async () => {
    const result = await importCheckpoint(sharedPath('fixtures/swinir', FILE), options('ok'));
    expect(result).toMatchObject({ id: 'test-x2', catalogModel: true });
    expect(isInstalled(requireEntry(catalog, 'test-x2'), catalog, cacheDir)).toBe(true);
  });

  it('refuses another file under a catalog id', async () => {
    const file = sharedPath('fixtures/swinir/classical_x3_small.pth');
    const error = await failure(importCheckpoint(file, { ...options('ok'), id: 'test-x2' }));
    expect(error.code).toBe('MODEL_VERIFY_FAILED');
    expect(error.message).toContain('another --id');
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('refuses a file that is not a SwinIR checkpoint, naming it', async () => {
    const file = join(root, 'notes.pth');
    writeFileSync(file, 'not a checkpoint at all');
    const error = await failure(importCheckpoint(file, options('ok')));
    expect(error.code).toBe('CHECKPOINT_FORMAT');
    expect(error.message).toContain(file);
    const text = join(root, 'notes.txt');
    writeFileSync(text, 'hello');
    expect((await failure(importCheckpoint(text, options('ok')))).code).toBe('INVALID_OPTION');
    expect(filesUnder(cacheDir)).toEqual([]);
  });
});

describe('verifyModel and removeModel', () => {
  it('detects a damaged install', async () => {
    const { path } = await pullModel(requireEntry(catalog, 'test-x2'), options('ok'));
    const damaged = Buffer.from(fixture);
    damaged[100] = (damaged[100] as number) ^ 1;
    writeFileSync(path, damaged);
    const result = await verifyModel('test-x2', options('ok'));
    expect(result.ok).toBe(false);
    expect(result.problem).toContain(`expected ${fixtureSha}`);
  });

  it('removes pulled and imported models with their compiled graphs, and refuses unknown ids', async () => {
    const pulled = await pullModel(requireEntry(catalog, 'test-x2'), options('ok'));
    await importCheckpoint(sharedPath('fixtures/swinir/classical_x3_small.pth'), options('ok'));
    const handle = { id: 'test-x2', checkpointPath: pulled.path, entry: undefined, imgRange: undefined };
    const variant = { fused: false, precision: 'fp32', float16Weights: false } as const;
    await compiledGraph(handle, [1, 3, 16, 16], cacheDir, variant);
    await compiledGraph(handle, [1, 3, 24, 16], cacheDir, { ...variant, precision: 'int8' });
    expect(filesUnder(join(cacheDir, 'compiled'))).toHaveLength(4);
    await removeModel('test-x2', options('ok'));
    await removeModel('classical_x3_small', options('ok'));
    expect(filesUnder(join(cacheDir, 'models'))).toEqual([]);
    expect(filesUnder(join(cacheDir, 'compiled'))).toEqual([]);
    expect(listModels(options('ok')).filter((m) => m.installed)).toEqual([]);
    expect((await failure(removeModel('test-x2', options('ok')))).code).toBe('MODEL_NOT_FOUND');
    expect((await failure(removeModel('../escape', options('ok')))).code).toBe('INVALID_OPTION');
    expect((await failure(verifyModel('test-x2', options('ok')))).code).toBe('MODEL_NOT_FOUND');
  });
});
