import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelHandle } from '../models/model-layout.js';
import { temporaryFolder } from '../test-support/fixture-images.js';
import { sharedPath } from '../test-support/shared-data.js';
import { compiledGraph } from './compiled-graphs.js';

const work = temporaryFolder('compiled-graphs');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const handle: ModelHandle = {
  id: 'tiny',
  checkpointPath: sharedPath('fixtures/swinir/lightweight_x2.pth'),
  entry: undefined,
  imgRange: undefined,
};
const variant = { fused: false, precision: 'fp32', float16Weights: false } as const;

describe('compiled-graph cache', () => {
  it('rebuilds a damaged graph instead of handing it to the runtime', async () => {
    const first = await compiledGraph(handle, [1, 3, 16, 16], work, variant);
    const dir = join(work, 'compiled');
    const onnxFile = readdirSync(dir).find((name) => name.endsWith('.onnx')) as string;
    const damaged = Buffer.from(first.onnx.subarray(0, 1000));
    damaged[500] = (damaged[500] as number) ^ 0xff;
    writeFileSync(join(dir, onnxFile), damaged);
    const again = await compiledGraph(handle, [1, 3, 16, 16], work, variant);
    expect(Buffer.from(again.onnx).equals(Buffer.from(first.onnx))).toBe(true);
    expect(readFileSync(join(dir, onnxFile)).equals(Buffer.from(first.onnx))).toBe(true);
  });

  it('serves an intact graph from the cache', async () => {
    const dir = join(work, 'compiled');
    const onnxFile = readdirSync(dir).find((name) => name.endsWith('.onnx')) as string;
    const before = readFileSync(join(dir, onnxFile));
    const cached = await compiledGraph(handle, [1, 3, 16, 16], work, variant);
    expect(Buffer.from(cached.onnx).equals(before)).toBe(true);
  });
});
