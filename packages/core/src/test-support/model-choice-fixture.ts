/**
 * What the model-choice tests share: a catalog of fixture checkpoints (a bundled ×4 default, better official
 * ×4 models and two ×2 ones) served over loopback HTTP, and a fresh cache folder per test. The environment
 * points swinup at them (SWINUP_MODELS_DIR, SWINUP_MODELS_BASE_URL, SWINUP_CACHE), so the CLI uses them too.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { resetTipForTests } from '../models/model-tip.js';
import { temporaryFolder } from './fixture-images.js';
import { sharedPath } from './shared-data.js';

/** A test catalog model: which fixture checkpoint it is, and its Set5 Y-PSNR. */
interface TestModel {
  readonly id: string;
  readonly file: string;
  readonly scale: number;
  readonly kind: 'bundled' | 'url';
  readonly published?: number;
  readonly measured?: number;
}

/** The test catalog: `test-s-x4` is the bundled default; `test-official-x4` is the cheapest better ×4. */
export const TEST_MODELS: readonly TestModel[] = [
  { id: 'test-s-x4', file: 'classical_x4_small.pth', scale: 4, kind: 'bundled', measured: 30.22 },
  { id: 'test-large-x4', file: 'realsr_x4_small_3conv.pth', scale: 4, kind: 'url', published: 32.92 },
  { id: 'test-official-x4', file: 'classical_x4_small.pth', scale: 4, kind: 'url', published: 32.44 },
  { id: 'test-x2-b', file: 'lightweight_x2.pth', scale: 2, kind: 'url', measured: 33 },
  { id: 'test-x2-a', file: 'lightweight_x2.pth', scale: 2, kind: 'url', published: 38.14 },
  { id: 'test-x3', file: 'classical_x3_small.pth', scale: 3, kind: 'url', published: 34.89 },
];

const fixturePath = (file: string) => sharedPath('fixtures/swinir', file);

function catalogEntry(model: TestModel) {
  const bytes = readFileSync(fixturePath(model.file));
  const score = (yPsnr: number | undefined) =>
    yPsnr === undefined ? null : { dataset: 'Set5', yPsnr, ySsim: 0.9 };
  return {
    id: model.id,
    title: `test ${model.id}`,
    task: 'sr',
    scale: model.scale,
    arch: { window_size: 8, in_chans: 3 },
    imgRange: 1,
    source:
      model.kind === 'bundled'
        ? { kind: 'bundled', file: model.file }
        : { kind: 'url', url: `https://example.invalid/v0.0/${model.file}`, file: model.file },
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sha256Source: 'test',
    stateDictKey: 'params',
    license: 'Apache-2.0',
    published: score(model.published),
    measured: score(model.measured),
  };
}

/** The state of {@link useModelChoice}, current for the running test. */
export interface ModelChoiceFixture {
  /** Folder holding the test `catalog.json` and the bundled checkpoint. */
  readonly modelsDir: string;
  /** The catalog file. */
  readonly catalog: string;
  /** The server's URL (also in SWINUP_MODELS_BASE_URL). */
  base: string;
  /** Paths the server was asked for, in order. */
  readonly requests: string[];
  /** A fresh cache folder per test (also in SWINUP_CACHE). */
  cacheDir: string;
  /** Installs a test model into this test's cache by copying its fixture, as a pull would. */
  install(id: string): void;
}

/** Starts the server, writes the catalog, and gives each test a fresh cache and a fresh once-per-process tip. */
export function useModelChoice(): ModelChoiceFixture {
  const root = temporaryFolder('model-choice');
  const modelsDir = join(root, 'catalog');
  let server: Server;
  const state: ModelChoiceFixture = {
    modelsDir,
    catalog: join(modelsDir, 'catalog.json'),
    base: '',
    requests: [],
    cacheDir: '',
    install(id) {
      const model = TEST_MODELS.find((m) => m.id === id);
      if (model === undefined) throw new Error(`no test model ${id}`);
      mkdirSync(join(state.cacheDir, 'models', id), { recursive: true });
      copyFileSync(fixturePath(model.file), join(state.cacheDir, 'models', id, model.file));
    },
  };
  beforeAll(async () => {
    server = createServer((request, response) => {
      const file = (request.url ?? '').slice(1);
      state.requests.push(file);
      if (!TEST_MODELS.some((m) => m.file === file)) return void response.writeHead(404).end();
      const body = readFileSync(fixturePath(file));
      response.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mkdirSync(modelsDir);
    for (const { kind, file } of TEST_MODELS)
      if (kind === 'bundled') copyFileSync(fixturePath(file), join(modelsDir, file));
    const models = TEST_MODELS.map(catalogEntry);
    writeFileSync(state.catalog, JSON.stringify({ schema: 1, defaults: { sr: 'test-s-x4' }, models }));
  });
  beforeEach(() => {
    state.cacheDir = mkdtempSync(join(root, 'cache-'));
    state.requests.length = 0;
    vi.stubEnv('SWINUP_MODELS_DIR', modelsDir);
    vi.stubEnv('SWINUP_MODELS_BASE_URL', state.base);
    vi.stubEnv('SWINUP_CACHE', state.cacheDir);
    vi.stubEnv('SWINUP_OFFLINE', '');
    resetTipForTests();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await new Promise((done) => server.close(done));
    rmSync(root, { recursive: true, force: true });
  });
  return state;
}
