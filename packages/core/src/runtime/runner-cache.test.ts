import { describe, expect, it } from 'vitest';
import type { InferenceRunner } from './onnx-session.js';
import { RunnerCache } from './runner-cache.js';

function fakeRunner(released: string[], name: string): InferenceRunner {
  return {
    provider: 'cpu',
    parallelism: 1,
    run: async (input) => input,
    release: async () => {
      released.push(name);
    },
  };
}

describe('RunnerCache', () => {
  it('creates a runner once per key and shares it', async () => {
    const released: string[] = [];
    let created = 0;
    const cache = new RunnerCache(4);
    const make = async () => {
      created++;
      return fakeRunner(released, 'a');
    };
    const [one, two] = await Promise.all([cache.lease('a', make), cache.lease('a', make)]);
    expect(one.runner).toBe(two.runner);
    expect(created).toBe(1);
    one.done();
    two.done();
    await cache.close();
    expect(released).toEqual(['a']);
  });

  it('releases the least recently used idle runners beyond its capacity, never a held one', async () => {
    const released: string[] = [];
    const cache = new RunnerCache(2);
    const lease = (key: string) => cache.lease(key, async () => fakeRunner(released, key));
    const a = await lease('a');
    (await lease('b')).done();
    (await lease('c')).done();
    await new Promise((resolve) => setImmediate(resolve));
    // 'a' is held, so 'b' (the oldest idle one) goes.
    expect(released).toEqual(['b']);
    expect(cache.size).toBe(2);
    a.done();
    a.done();
    (await lease('d')).done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual(['b', 'a']);
    await cache.close();
    expect(released.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('forgets a runner that failed to load, so the next lease tries again', async () => {
    const cache = new RunnerCache(2);
    await expect(cache.lease('a', async () => Promise.reject(new Error('no model')))).rejects.toThrow(
      'no model',
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.size).toBe(0);
    const lease = await cache.lease('a', async () => fakeRunner([], 'a'));
    lease.done();
    await cache.close();
  });
});
