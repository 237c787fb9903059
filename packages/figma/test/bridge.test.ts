import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../src/bridge/index.js';
import type { ErrorResponse, HealthResponse, JobProgress, ModelsResponse } from '../src/messages.js';
import { decodePng, pixelAt, solidPng } from './support/png.js';
import { authorised, startTestBridge } from './support/test-bridge.js';

const MAX_BODY = 256 * 1024;

async function errorOf(response: Response): Promise<ErrorResponse['error']> {
  return ((await response.json()) as ErrorResponse).error;
}

async function health(bridge: Bridge): Promise<HealthResponse> {
  return (await (
    await fetch(`${bridge.url}/health`, { headers: authorised(bridge) })
  ).json()) as HealthResponse;
}

async function jobState(bridge: Bridge, job: string): Promise<JobProgress | undefined> {
  const response = await fetch(`${bridge.url}/jobs/${job}`, { headers: authorised(bridge) });
  return response.status === 404 ? undefined : ((await response.json()) as JobProgress);
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('bridge over loopback HTTP', () => {
  let bridge: Bridge;

  beforeAll(async () => {
    bridge = await startTestBridge({ concurrency: 2, maxBodyBytes: MAX_BODY, maxPixels: 200 * 200 });
  });
  afterAll(() => bridge?.close());

  it('binds to 127.0.0.1 only and answers health with the token', async () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}`);
    const body = await health(bridge);
    expect(body).toMatchObject({ ok: true, model: 'swinup-s-x4', scale: 4, queue: { concurrency: 2 } });
    const models = (await (
      await fetch(`${bridge.url}/models`, { headers: authorised(bridge) })
    ).json()) as ModelsResponse;
    expect(models.active).toBe('swinup-s-x4');
    expect(models.models.map((m) => m.id)).toContain('swinup-s-x4');
  });

  it('answers 401 to every route without the token or with a wrong one', async () => {
    for (const [method, path] of [
      ['GET', '/health'],
      ['GET', '/models'],
      ['GET', '/jobs/x'],
      ['POST', '/upscale?scale=4'],
    ] as const) {
      const body = method === 'POST' ? solidPng(16, 16, [10, 20, 30]) : undefined;
      const missing = await fetch(`${bridge.url}${path}`, { method, body });
      expect(missing.status, `${method} ${path}`).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await errorOf(missing)).code).toBe('UNAUTHORIZED');
      const wrong = await fetch(`${bridge.url}${path}`, {
        method,
        body,
        headers: { Authorization: `Bearer ${bridge.token.slice(0, -1)}x` },
      });
      expect(wrong.status, `${method} ${path}`).toBe(401);
    }
  });

  it('serves the Figma plugin iframe (Origin null) with CORS and Private Network Access headers', async () => {
    const preflight = await fetch(`${bridge.url}/upscale`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'null',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
        'Access-Control-Request-Private-Network': 'true',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('null');
    expect(preflight.headers.get('access-control-allow-private-network')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const answer = await fetch(`${bridge.url}/health`, { headers: authorised(bridge, { Origin: 'null' }) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('null');
    // A 401 must be readable by the iframe too, so it can ask for the token.
    const unpaired = await fetch(`${bridge.url}/health`, { headers: { Origin: 'null' } });
    expect(unpaired.status).toBe(401);
    expect(unpaired.headers.get('access-control-allow-origin')).toBe('null');
  });

  it('refuses other origins and foreign Host names with 403', async () => {
    for (const method of ['GET', 'OPTIONS']) {
      const response = await fetch(`${bridge.url}/health`, {
        method,
        headers: authorised(bridge, { Origin: 'https://evil.example' }),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect((await errorOf(response)).code).toBe('FORBIDDEN_ORIGIN');
    }
    // A DNS-rebinding page reaches 127.0.0.1 under its own host name.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(
        {
          host: '127.0.0.1',
          port: bridge.port,
          path: '/health',
          headers: { Host: `evil.example:${bridge.port}`, ...authorised(bridge) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });

  it('answers an oversized body with 413, declared or streamed, and keeps serving', async () => {
    const declared = await fetch(`${bridge.url}/upscale`, {
      method: 'POST',
      headers: authorised(bridge),
      body: new Uint8Array(4 * MAX_BODY),
    });
    expect(declared.status).toBe(413);
    expect(await errorOf(declared)).toMatchObject({ code: 'BODY_TOO_LARGE', message: /256 KiB|262144/ });
    const chunk = new Uint8Array(64 * 1024);
    const streamed = await fetch(`${bridge.url}/upscale`, {
      method: 'POST',
      headers: authorised(bridge),
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 64; i++) controller.enqueue(chunk);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await health(bridge)).queue).toMatchObject({ running: 0, waiting: 0 });
  });

  it('answers 422 for images it cannot or may not upscale, and 400 for bad options', async () => {
    const post = (query: string, body: Uint8Array) =>
      fetch(`${bridge.url}/upscale?${query}`, { method: 'POST', headers: authorised(bridge), body });
    const tooLarge = await post('scale=4', solidPng(60, 60, [1, 2, 3]));
    expect(tooLarge.status).toBe(422);
    expect(await errorOf(tooLarge)).toMatchObject({ code: 'IMAGE_TOO_LARGE', message: /240×240/ });
    const notAnImage = await post('scale=4', new TextEncoder().encode('not an image'));
    expect(notAnImage.status).toBe(422);
    expect((await errorOf(notAnImage)).code).toBe('INVALID_IMAGE');
    for (const query of ['scale=abc', 'scale=99', 'format=gif', 'colour=red', 'job=../x']) {
      const response = await post(query, solidPng(16, 16, [1, 2, 3]));
      expect(response.status, query).toBe(400);
      expect((await errorOf(response)).code, query).toBe('INVALID_OPTION');
    }
  });

  it('answers 50 concurrent upscales correctly through a bounded queue', async () => {
    const colours = Array.from({ length: 50 }, (_, i) => [40 + i * 4, 200 - i * 3, (i * 37) % 256] as const);
    let busiest = { running: 0, waiting: 0 };
    let polling = true;
    const watcher = (async () => {
      while (polling) {
        const { queue } = await health(bridge);
        busiest = {
          running: Math.max(busiest.running, queue.running),
          waiting: Math.max(busiest.waiting, queue.waiting),
        };
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const answers = await Promise.all(
      colours.map(async (colour, i) => {
        const scale = i % 2 === 0 ? 4 : 2;
        const response = await fetch(`${bridge.url}/upscale?scale=${scale}&job=burst-${i}`, {
          method: 'POST',
          headers: authorised(bridge, { 'Content-Type': 'image/png' }),
          body: solidPng(16, 16, colour),
        });
        return { i, scale, colour, response, bytes: new Uint8Array(await response.arrayBuffer()) };
      }),
    );
    polling = false;
    await watcher;
    for (const { i, scale, colour, response, bytes } of answers) {
      expect(response.status, `request ${i}`).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('x-swinup-job')).toBe(`burst-${i}`);
      const image = decodePng(bytes);
      expect([image.width, image.height], `request ${i}`).toEqual([16 * scale, 16 * scale]);
      // Each answer is its own request's image: a flat colour stays that colour.
      const centre = pixelAt(image, image.width / 2, image.height / 2);
      for (let c = 0; c < 3; c++)
        expect(Math.abs((centre[c] as number) - (colour[c] as number)), `request ${i}`).toBeLessThan(16);
    }
    expect(busiest.running).toBeLessThanOrEqual(2);
    expect(busiest.waiting).toBeGreaterThan(0);
    expect(await health(bridge)).toMatchObject({ queue: { running: 0, waiting: 0 } });
  });
});

describe('bridge job cancellation', () => {
  let bridge: Bridge;

  beforeAll(async () => {
    bridge = await startTestBridge({ concurrency: 1 });
  });
  afterAll(() => bridge?.close());

  const upscale = (job: string, size: number, signal?: AbortSignal) =>
    fetch(`${bridge.url}/upscale?scale=4&job=${job}`, {
      method: 'POST',
      headers: authorised(bridge),
      body: solidPng(size, size, [90, 120, 150]),
      signal,
    });

  it('frees the slot when the client aborts a running job', async () => {
    const client = new AbortController();
    const big = upscale('big', 256, client.signal).catch((error: unknown) => error);
    await until(async () => ((await jobState(bridge, 'big'))?.tilesDone ?? 0) > 0 || undefined, 'big to run');
    const small = upscale('small', 16);
    await until(
      async () => (await jobState(bridge, 'small'))?.state === 'queued' || undefined,
      'small to wait',
    );
    const atAbort = (await jobState(bridge, 'big')) as JobProgress;
    client.abort();
    expect(await big).toMatchObject({ name: 'AbortError' });
    // The big job stops within the tiles already running (one per CPU session) instead of running on.
    let last = atAbort.tilesDone;
    for (
      let state = await jobState(bridge, 'big');
      state !== undefined;
      state = await jobState(bridge, 'big')
    ) {
      last = state.tilesDone;
    }
    expect(atAbort.tilesTotal).toBeGreaterThan(atAbort.tilesDone + 4);
    expect(last).toBeLessThanOrEqual(atAbort.tilesDone + 4);
    const answer = await small;
    expect(answer.status).toBe(200);
    expect((await health(bridge)).queue).toMatchObject({ running: 0, waiting: 0 });
  });

  it('drops a waiting job whose client went away', async () => {
    const running = new AbortController();
    const waiting = new AbortController();
    const first = upscale('first', 256, running.signal).catch(() => undefined);
    await until(
      async () => (await jobState(bridge, 'first'))?.state === 'running' || undefined,
      'first to run',
    );
    const second = upscale('second', 16, waiting.signal).catch(() => undefined);
    await until(
      async () => ((await health(bridge)).queue.waiting === 1 ? true : undefined),
      'second to wait',
    );
    waiting.abort();
    await until(
      async () => ((await health(bridge)).queue.waiting === 0 ? true : undefined),
      'second to leave',
    );
    expect((await health(bridge)).queue.running).toBe(1);
    running.abort();
    await Promise.all([first, second]);
    await until(async () => ((await health(bridge)).queue.running === 0 ? true : undefined), 'first to stop');
  });

  it('answers running and queued jobs with 503 when it shuts down', async () => {
    const running = upscale('last-running', 256);
    await until(
      async () => (await jobState(bridge, 'last-running'))?.state === 'running' || undefined,
      'job to run',
    );
    const queued = upscale('last-queued', 16);
    await until(async () => (await jobState(bridge, 'last-queued')) ?? undefined, 'job to queue');
    await bridge.close();
    for (const response of await Promise.all([running, queued])) {
      expect(response.status).toBe(503);
      expect((await errorOf(response)).code).toBe('SHUTTING_DOWN');
    }
    await expect(fetch(`${bridge.url}/health`)).rejects.toThrow();
  });
});
