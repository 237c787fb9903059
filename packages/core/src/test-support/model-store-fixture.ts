/**
 * What the `models` verb tests share: a local HTTP server for downloads, a two-model test catalog, and a
 * fresh cache folder (with its warnings) per test.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { SwinupError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Catalog, loadCatalog } from '../models/model-catalog.js';
import type { ModelStoreOptions } from '../models/model-store-options.js';
import { sharedPath } from './shared-data.js';

/** The checkpoint the test catalog's models download. */
export const FILE = 'lightweight_x2.pth';
/** Its bytes. */
export const fixture = readFileSync(sharedPath('fixtures/swinir', FILE));
/** Its SHA-256. */
export const fixtureSha = createHash('sha256').update(fixture).digest('hex');

/** Routes: /ok, /tampered (one byte changed), /truncated (cut halfway), /redirect (302 to /ok), else 404. */
function serve(request: string, response: ServerResponse): void {
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

/** Every path below `dir`, relative to it. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

/** The SwinupError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<SwinupError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SwinupError);
  return error as SwinupError;
}

/** The state of {@link useModelStore}, current for the running test. */
export interface ModelStoreFixture {
  /** A temporary folder removed after the file's tests. */
  readonly root: string;
  /** The server's URL. */
  base: string;
  /** `test-x2` (hashed) and `test-x2-unhashed`, both downloading {@link FILE}. */
  catalog: Catalog;
  /** A fresh cache folder per test. */
  cacheDir: string;
  /** Warnings logged in this test. */
  warnings: string[];
  /** Store options for this test, downloading through `route` (see the server's routes). */
  options: (route: string) => ModelStoreOptions;
}

/** Starts the server and catalog for the calling test file, and a fresh cache per test. */
export function useModelStore(): ModelStoreFixture {
  const root = mkdtempSync(join(tmpdir(), 'swinup-install-'));
  let server: Server;
  const state: ModelStoreFixture = {
    root,
    base: '',
    catalog: undefined as unknown as Catalog,
    cacheDir: '',
    warnings: [],
    options: (route) => ({
      catalog: state.catalog,
      cacheDir: state.cacheDir,
      logger: { debug() {}, info() {}, warn: (m) => state.warnings.push(m) } satisfies Logger,
      env: { SWINUP_MODELS_BASE_URL: `${state.base}/${route}/` },
    }),
  };
  beforeAll(async () => {
    server = createServer((request, response) => serve(request.url ?? '', response));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    state.catalog = loadCatalog(modelsDir);
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    state.cacheDir = mkdtempSync(join(root, 'cache-'));
    state.warnings = [];
  });
  return state;
}
