import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { useModelChoice } from '../test-support/model-choice-fixture.js';
import type { ModelChoiceResponse, PullProgress } from './server-types.js';
import { upscaleRequestOf } from './upscale-request.js';
import { sameOrigins, startUpscaleServer, type UpscaleServer } from './upscale-server.js';

const store = useModelChoice();
const open: UpscaleServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

/** A studio-like server (model choice on) on the test catalog and this test's cache. */
async function studioServer(offline = false): Promise<UpscaleServer> {
  const server = await startUpscaleServer({
    port: 0,
    version: '9.9.9',
    wording: { noun: 'the test studio', program: 'test-studio', originRule: 'the test studio' },
    allowedOrigins: sameOrigins,
    upscaler: { catalog: store.catalog, cacheDir: store.cacheDir, device: 'cpu', offline },
    modelChoice: true,
  });
  open.push(server);
  return server;
}

function call(server: UpscaleServer, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${server.token}`, ...init.headers },
  });
}

const image = () =>
  sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .png()
    .toBuffer();

async function upscale(server: UpscaleServer, query: string): Promise<Response> {
  return call(server, `/upscale?${query}`, { method: 'POST', body: new Uint8Array(await image()) });
}

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe('GET /models with model choice', () => {
  it('needs the token, and lists installed sr models with Set5 Y-PSNR and pullable ones with size', async () => {
    const server = await studioServer();
    expect((await fetch(`${server.url}/models`)).status).toBe(401);
    const answer = (await (await call(server, '/models')).json()) as ModelChoiceResponse;
    expect(answer.active).toBe('test-s-x4');
    expect(answer.offline).toBe(false);
    expect(answer.installed).toEqual([
      { id: 'test-s-x4', scale: 4, title: 'test test-s-x4', set5YPsnr: 30.22 },
    ]);
    expect(answer.available.map((m) => m.id)).toEqual([
      'test-large-x4',
      'test-official-x4',
      'test-x2-b',
      'test-x2-a',
      'test-x3',
    ]);
    expect(answer.available.find((m) => m.id === 'test-x2-a')).toMatchObject({
      scale: 2,
      set5YPsnr: 38.14,
      size: expect.any(Number),
      pull: null,
    });
  });
});

describe('POST /upscale?model=', () => {
  it('refuses unknown and uninstalled models without downloading, and upscales with an installed one', async () => {
    const server = await studioServer();
    const unknown = await upscale(server, 'model=no-such-model');
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toContain('unknown model "no-such-model"');
    const missing = await upscale(server, 'model=test-x2-a');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).message).toContain('model "test-x2-a" is not installed');
    expect((await upscale(server, 'model=..%2Fx')).status).toBe(400);
    expect(store.requests).toEqual([]);

    store.install('test-x2-a');
    const done = await upscale(server, 'model=test-x2-a');
    expect(done.status).toBe(200);
    expect([done.headers.get('x-swinup-width'), done.headers.get('x-swinup-height')]).toEqual(['24', '20']);
    const fallback = await upscale(server, 'model=test-s-x4');
    expect(fallback.headers.get('x-swinup-width')).toBe('48');
  });

  it('writes WebP and AVIF', async () => {
    const server = await studioServer();
    for (const format of ['webp', 'avif'] as const) {
      const response = await upscale(server, `format=${format}&quality=70`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(`image/${format}`);
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect([meta.format === 'heif' ? 'avif' : meta.format, meta.width]).toEqual([format, 48]);
    }
  });
});

describe('POST /models/{id}/pull', () => {
  it('downloads a catalog model from the models server with progress; it then appears as installed', async () => {
    const server = await studioServer();
    expect((await fetch(`${server.url}/models/test-x2-a/pull`, { method: 'POST' })).status).toBe(401);
    const started = await call(server, '/models/test-x2-a/pull', { method: 'POST' });
    expect(started.status).toBe(202);
    let progress = (await started.json()) as PullProgress;
    while (progress.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      progress = (await (await call(server, '/models/test-x2-a/pull')).json()) as PullProgress;
    }
    expect(progress).toMatchObject({ state: 'done', error: null });
    expect(progress.done).toBe(progress.total);
    expect(store.requests).toEqual(['lightweight_x2.pth']);
    const answer = (await (await call(server, '/models')).json()) as ModelChoiceResponse;
    expect(answer.installed.map((m) => m.id)).toContain('test-x2-a');
    expect(answer.available.map((m) => m.id)).not.toContain('test-x2-a');
    expect((await upscale(server, 'model=test-x2-a')).status).toBe(200);
  });

  it('answers 404 for an unknown model or a pull never started', async () => {
    const server = await studioServer();
    const unknown = await call(server, '/models/nope/pull', { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toContain('unknown model "nope"');
    expect((await call(server, '/models/test-x2-a/pull')).status).toBe(404);
  });

  it('is refused with 409 and core’s offline message in offline mode', async () => {
    const server = await studioServer(true);
    const answer = (await (await call(server, '/models')).json()) as ModelChoiceResponse;
    expect(answer.offline).toBe(true);
    const refused = await call(server, '/models/test-x2-a/pull', { method: 'POST' });
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toMatch(
      /^model "test-x2-a" is not installed .*offline mode is on \(SWINUP_OFFLINE/,
    );
    expect(store.requests).toEqual([]);
  });
});

describe('upscaleRequestOf without model choice (the bridge)', () => {
  it('keeps PNG and JPEG only, and takes no model', () => {
    expect(() => upscaleRequestOf(new URLSearchParams('format=webp'))).toThrow(
      'Invalid option format: "webp"; expected png or jpeg',
    );
    expect(() => upscaleRequestOf(new URLSearchParams('model=test-s-x4'))).toThrow(
      'unknown query parameter "model"',
    );
    const studio = upscaleRequestOf(new URLSearchParams('format=avif&model=m'), { modelChoice: true });
    expect([studio.options.format, studio.model]).toEqual(['avif', 'm']);
  });
});
