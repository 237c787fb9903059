import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileCheckpoint } from '../compiler.js';
import { sharedPath } from '../test-support/shared-data.js';
import { createRunner } from './onnx-session.js';
import { cpuPoolThreads, createSessionPool } from './session-pool.js';

const checkpoint = readFileSync(sharedPath('fixtures/swinir/lightweight_x2.pth'));
const modelFor = (side: number) =>
  compileCheckpoint(checkpoint, { shape: [1, 3, side, side], fused: false }).onnx;
const input = (side: number, seed: number) =>
  Float32Array.from({ length: 3 * side * side }, (_, i) => ((i * 7919 + seed) % 256) / 255);

describe('CPU session pool', () => {
  it('runs two models at once on one shared set of threads, with the in-process results', async () => {
    const settings = { sessions: 2, threadsPerSession: 1 };
    const [small, large] = await Promise.all([
      createSessionPool(modelFor(16), settings),
      createSessionPool(modelFor(24), settings),
    ]);
    expect(small.parallelism).toBe(2);
    // Both models share the one pool: two threads, not four.
    expect(cpuPoolThreads()).toBe(2);
    const jobs = [16, 24, 16, 24, 16, 24].map((side, i) => ({ side, data: input(side, i) }));
    const outputs = await Promise.all(
      jobs.map((job) => (job.side === 16 ? small : large).run(job.data.slice(), [1, 3, job.side, job.side])),
    );
    const reference = {
      16: await createRunner(modelFor(16), { device: 'cpu', threads: 1 }),
      24: await createRunner(modelFor(24), { device: 'cpu', threads: 1 }),
    };
    for (const [i, job] of jobs.entries()) {
      const expected = await reference[job.side as 16 | 24].run(job.data, [1, 3, job.side, job.side]);
      expect(outputs[i]).toEqual(expected);
    }
    await Promise.all([reference[16].release(), reference[24].release()]);
    await small.release();
    expect(cpuPoolThreads()).toBe(2);
    await large.release();
    expect(cpuPoolThreads()).toBe(0);
  });

  it('closes with runs in flight without crashing, failing the queued runs', async () => {
    const runner = await createSessionPool(modelFor(24), { sessions: 1, threadsPerSession: 1 });
    const runs = Array.from({ length: 4 }, (_, i) => runner.run(input(24, i), [1, 3, 24, 24]));
    const settled = Promise.allSettled(runs);
    await runner.release();
    const outcomes = await settled;
    expect(outcomes[0]?.status).toBe('fulfilled');
    expect(outcomes.slice(1).map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await expect(runner.run(input(24, 9), [1, 3, 24, 24])).rejects.toThrow(/closed/);
  });
});
