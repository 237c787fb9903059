import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../src/bridge/index.js';
import type { HealthResponse } from '../src/messages.js';
import { decodePng, pixelAt, solidPng } from './support/png.js';
import { authorised, startTestBridge } from './support/test-bridge.js';

const REQUESTS = 100;
/** Every tenth client goes away halfway through sending its image. */
const ABORT_EVERY = 10;
const SIDE = 16;
const SCALE = 2;

// The bridge runs in this process, so its memory is this heap; a forced collection makes it comparable.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

async function settledHeap(): Promise<{ heap: number; rss: number }> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
}

const colourOf = (i: number) => [(i * 53) % 256, (i * 101 + 40) % 256, 255 - ((i * 29) % 256)] as const;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

describe('bridge under load with clients that go away', () => {
  let bridge: Bridge;
  const health = async () =>
    (await (await fetch(`${bridge.url}/health`, { headers: authorised(bridge) })).json()) as HealthResponse;
  const upscaleUrl = (i: number) => `${bridge.url}/upscale?scale=${SCALE}&job=load-${i}`;

  beforeAll(async () => {
    bridge = await startTestBridge({ concurrency: 2 });
  });
  afterAll(() => bridge?.close());

  /** Resolves once the bridge lists job `load-i`: its request arrived and the body is being read. */
  async function whenListed(i: number): Promise<void> {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const job = await fetch(`${bridge.url}/jobs/load-${i}`, { headers: authorised(bridge) });
      await job.arrayBuffer();
      if (job.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`job load-${i} never arrived`);
  }

  /** Sends half the image through fetch's streamed body, then aborts mid-upload. */
  async function abortWithFetch(i: number): Promise<'aborted'> {
    const image = solidPng(SIDE, SIDE, colourOf(i));
    const client = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(image.subarray(0, image.length >> 1));
        whenListed(i).then(() => client.abort(), controller.error.bind(controller));
      },
    });
    const sent = fetch(upscaleUrl(i), {
      method: 'POST',
      headers: authorised(bridge),
      body,
      signal: client.signal,
      duplex: 'half',
    } as RequestInit);
    await expect(sent).rejects.toMatchObject({ name: 'AbortError' });
    return 'aborted';
  }

  /** Declares the whole image, writes half over a raw socket, then destroys the request. */
  function abortWithSocket(i: number): Promise<'aborted'> {
    const image = solidPng(SIDE, SIDE, colourOf(i));
    return new Promise((resolve, reject) => {
      const req = request(upscaleUrl(i), {
        method: 'POST',
        headers: authorised(bridge, { 'Content-Length': String(image.length) }),
      });
      req.on('response', () => reject(new Error(`request ${i} was answered though it never finished`)));
      req.on('error', () => resolve('aborted'));
      req.write(image.subarray(0, image.length >> 1));
      whenListed(i).then(() => req.destroy(), reject);
    });
  }

  async function upscaleOne(i: number): Promise<'right' | string> {
    const colour = colourOf(i);
    const response = await fetch(upscaleUrl(i), {
      method: 'POST',
      headers: authorised(bridge, { 'Content-Type': 'image/png' }),
      body: solidPng(SIDE, SIDE, colour),
    });
    if (response.status !== 200) return `request ${i}: ${response.status} ${await response.text()}`;
    const image = decodePng(new Uint8Array(await response.arrayBuffer()));
    if (image.width !== SIDE * SCALE || image.height !== SIDE * SCALE)
      return `request ${i}: ${image.width}×${image.height}`;
    // Each answer is its own request's image: the flat colour comes back.
    const centre = pixelAt(image, image.width / 2, image.height / 2);
    return centre.every((c, k) => Math.abs(c - (colour[k] as number)) < 16)
      ? 'right'
      : `request ${i}: ${centre}`;
  }

  it(`answers ${REQUESTS} concurrent requests right while ${REQUESTS / ABORT_EVERY} go away`, async () => {
    // Warm up first, so sessions and compiled graphs count in the starting memory, not as growth.
    for (let i = 0; i < 4; i++) expect(await upscaleOne(1000 + i)).toBe('right');
    const before = await settledHeap();
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => {
        if (i % ABORT_EVERY !== ABORT_EVERY - 1) return upscaleOne(i);
        return i % (2 * ABORT_EVERY) === ABORT_EVERY - 1 ? abortWithFetch(i) : abortWithSocket(i);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const wrong = outcomes.filter((o) => o !== 'right' && o !== 'aborted');
    expect(wrong).toEqual([]);
    const right = outcomes.filter((o) => o === 'right').length;
    expect(right).toBe(REQUESTS - REQUESTS / ABORT_EVERY);
    // Nothing of the aborted jobs stays queued or listed, and the bridge still answers.
    const after = await health();
    expect(after).toMatchObject({ ok: true, queue: { running: 0, waiting: 0 } });
    for (let i = ABORT_EVERY - 1; i < REQUESTS; i += ABORT_EVERY) {
      const job = await fetch(`${bridge.url}/jobs/load-${i}`, { headers: authorised(bridge) });
      expect(job.status, `job load-${i}`).toBe(404);
    }
    const settled = await settledHeap();
    console.log(
      `bridge load: ${REQUESTS} requests, ${REQUESTS / ABORT_EVERY} aborted, ${right} answered right in ` +
        `${seconds.toFixed(1)} s; heap ${mb(before.heap)} → ${mb(settled.heap)}, RSS ${mb(before.rss)} → ${mb(settled.rss)}`,
    );
    // Buffers of bodies, results and aborted uploads are all released: the heap is back near its start.
    expect(settled.heap - before.heap).toBeLessThan(8 * 2 ** 20);
    expect(settled.rss - before.rss).toBeLessThan(256 * 2 ** 20);
  });
});
