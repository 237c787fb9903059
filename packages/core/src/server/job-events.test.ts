import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamJobEvents, TrackedJob } from './job-events.js';
import { sameOrigins, startUpscaleServer, type UpscaleServer } from './upscale-server.js';

const work = mkdtempSync(join(tmpdir(), 'swinup-events-'));
let server: UpscaleServer;
let image: Buffer;

beforeAll(async () => {
  // Small tiles, so one image gives many progress events.
  server = await startUpscaleServer({
    port: 0,
    version: '9.9.9',
    wording: { noun: 'the test server', program: 'test-server', originRule: 'the test server' },
    allowedOrigins: sameOrigins,
    upscaler: { cacheDir: join(work, 'cache'), tileSize: 24, tileOverlap: 4 },
  });
  const width = 96;
  const height = 72;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + (i >> 5) * 11) % 256;
  image = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
});

afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const auth = () => ({ Authorization: `Bearer ${server.token}` });

/**
 * Starts `POST /upscale?job=ID` but holds back the body's last byte until `release` is called, so the job is
 * known to the server (queued) for as long as the test needs; `answer` settles with the status.
 */
function heldUpscale(jobId: string, bytes: Buffer = image): { release: () => void; answer: Promise<number> } {
  let release = () => {};
  const answer = new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: `/upscale?job=${jobId}`,
        headers: { ...auth(), 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.write(bytes.subarray(0, -1));
    release = () => req.end(bytes.subarray(-1));
  });
  return { release, answer };
}

/** Waits until `GET /jobs/ID` knows the job. */
async function untilKnown(jobId: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${server.url}/jobs/${jobId}`, { headers: auth() });
    await response.body?.cancel();
    if (response.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** Parses `text` (whole events) into events, skipping comment lines. */
function parseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line !== '' && !line.startsWith(':'));
    if (lines.length === 0) continue;
    const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length) ?? 'message';
    const data = lines.find((line) => line.startsWith('data: '))?.slice('data: '.length) ?? '{}';
    events.push({ event, data: JSON.parse(data) });
  }
  return events;
}

describe('GET /jobs/{id}/events', () => {
  it('streams increasing progress, then a final done event, then ends', async () => {
    const { release, answer } = heldUpscale('events-1');
    await untilKnown('events-1');
    const response = await fetch(`${server.url}/jobs/events-1/events`, { headers: auth() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    release();
    // text() settles only when the server ends the stream.
    const events = parseEvents(await response.text());
    expect(await answer).toBe(200);

    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data);
    expect(progress[0]).toMatchObject({ state: 'queued', tilesDone: 0 });
    const running = progress.filter((p) => p.state === 'running' && (p.tilesTotal as number) > 0);
    expect(running.length).toBeGreaterThan(2);
    const done = running.map((p) => p.tilesDone as number);
    for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThanOrEqual(done[i - 1] as number);
    expect(done.at(-1)).toBe(running.at(-1)?.tilesTotal);
    expect(new Set(done).size).toBeGreaterThan(2);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { width: expect.any(Number) } });
    expect(events.filter((e) => e.event === 'done')).toHaveLength(1);
    // Once ended, the job is gone.
    expect((await fetch(`${server.url}/jobs/events-1/events`, { headers: auth() })).status).toBe(404);
  });

  it('ends with an error event when the image cannot be upscaled', async () => {
    const damaged = Buffer.concat([image.subarray(0, 64), Buffer.alloc(256, 7)]);
    const { release, answer } = heldUpscale('events-bad', damaged);
    await untilKnown('events-bad');
    const response = await fetch(`${server.url}/jobs/events-bad/events`, { headers: auth() });
    release();
    const events = parseEvents(await response.text());
    expect(await answer).toBe(422);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { error: { code: 'INVALID_IMAGE' } } });
  });

  it('needs the token, like the other API routes', async () => {
    const { release, answer } = heldUpscale('events-2');
    await untilKnown('events-2');
    const response = await fetch(`${server.url}/jobs/events-2/events`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="test-server"');
    const wrong = await fetch(`${server.url}/jobs/events-2/events`, {
      headers: { Authorization: 'Bearer wrong-token-wrong-token-wrong' },
    });
    expect(wrong.status).toBe(401);
    const foreign = await fetch(`${server.url}/jobs/events-2/events`, {
      headers: { ...auth(), Origin: 'http://127.0.0.1:1' },
    });
    expect(foreign.status).toBe(403);
    release();
    expect(await answer).toBe(200);
  });

  it('answers 404 for an unknown job', async () => {
    const response = await fetch(`${server.url}/jobs/nobody/events`, { headers: auth() });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'JOB_NOT_FOUND' } });
  });

  it('survives a client that goes away: the job completes and the server still answers', async () => {
    const { release, answer } = heldUpscale('events-3');
    await untilKnown('events-3');
    const controller = new AbortController();
    const response = await fetch(`${server.url}/jobs/events-3/events`, {
      headers: auth(),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: progress');
    controller.abort();
    release();
    expect(await answer).toBe(200);
    const health = await fetch(`${server.url}/health`, { headers: auth() });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, queue: { running: 0, waiting: 0 } });
  });
});

describe('streamJobEvents', () => {
  it('stops watching the job when the client disconnects', async () => {
    const job = new TrackedJob();
    const http = createServer((_req, res) => streamJobEvents(job, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const controller = new AbortController();
      const { port } = http.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: controller.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      expect(job.watched).toBe(true);
      controller.abort();
      for (let i = 0; i < 200 && job.watched; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(job.watched).toBe(false);
      job.update({ state: 'running', tilesTotal: 4 });
      job.end({ kind: 'cancelled' });
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
