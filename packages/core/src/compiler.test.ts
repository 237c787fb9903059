import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from './checkpoint/index.js';
import { compileCheckpoint, inspectCheckpoint } from './compiler.js';
import type { OnnxGraph } from './graph/onnx-model.js';
import { serializeModel } from './graph/onnx-model.js';
import { inferConfig, type SwinIRConfig } from './graph/swinir-config.js';
import { buildSwinIRGraph, type InputShape } from './graph/swinir-graph.js';
import { createRunner } from './runtime/onnx-session.js';
import {
  type FixtureCase,
  type FixtureModel,
  fixtureIndex,
  readFloats,
  sharedPath,
} from './test-support/shared-data.js';
import { cropTopLeft, padReflectBottomRight, roundUpTo } from './tiling/tensor-layout.js';

const index = fixtureIndex();

/** Runs a fixture case through an ONNX model the way the reference does: reflect-pad, run, crop. */
async function runCase(model: FixtureModel, testCase: FixtureCase, emit: (shape: InputShape) => Uint8Array) {
  const [n, c, h, w] = testCase.input_shape;
  const ws = model.config.window_size;
  const padded = padReflectBottomRight(
    { channels: n * c, height: h, width: w, data: readFloats(testCase.input) },
    roundUpTo(h, ws),
    roundUpTo(w, ws),
  );
  const runner = await createRunner(emit([n, c, padded.height, padded.width]), { device: 'cpu', threads: 2 });
  const scale = model.config.upscale;
  const out = await runner.run(padded.data, [n, c, padded.height, padded.width]);
  await runner.release();
  const cropped = cropTopLeft(
    { channels: n * c, height: padded.height * scale, width: padded.width * scale, data: out },
    h * scale,
    w * scale,
  );
  return maxAbsDifference(cropped.data, readFloats(testCase.output));
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

const tolerance = (model: FixtureModel) => (model.config.img_range === 255 ? 1e-3 : 1e-4);

// Both graph forms: the fused one (GPU default) and the plain one (CPU default).
const GRAPH_FORMS = [
  { form: 'fused ops', fused: true },
  { form: 'plain ops', fused: false },
] as const;

describe.each(GRAPH_FORMS)(
  'compiled ONNX models ($form) reproduce the official SwinIR outputs',
  ({ fused }) => {
    for (const [name, model] of Object.entries(index)) {
      const checkpoint = readFileSync(sharedPath('fixtures/swinir', model.checkpoint));
      for (const testCase of model.cases) {
        it(`${name} ${testCase.input_shape.join('x')}`, async () => {
          const emit = (shape: InputShape) =>
            compileCheckpoint(checkpoint, { shape, imgRange: model.config.img_range, fused }).onnx;
          expect(await runCase(model, testCase, emit)).toBeLessThanOrEqual(tolerance(model));
        });
      }
    }

    it('infers the fixture configs from tensor names and shapes', () => {
      for (const model of Object.values(index)) {
        const tensors = readCheckpoint(readFileSync(sharedPath('fixtures/swinir', model.checkpoint)));
        const { config } = inferConfig(tensors.weights, tensors.otherTensors);
        const expected: Record<string, unknown> = {
          ...model.config,
          upsampler: model.config.upsampler === '' ? 'none' : model.config.upsampler,
        };
        for (const key of [
          'upscale',
          'in_chans',
          'embed_dim',
          'depths',
          'num_heads',
          'window_size',
          'mlp_ratio',
          'upsampler',
          'resi_connection',
          'img_range',
        ] as const) {
          expect(config[key], key).toEqual(expected[key]);
        }
        expect(tensors.stateDictKey).toBe(model.state_dict_key);
      }
    });
  },
);

describe('plain graph attention chunks', () => {
  const model = index.lightweight_x2 as FixtureModel;
  const checkpoint = readFileSync(sharedPath('fixtures/swinir', model.checkpoint));

  it('give the official outputs for any chunk size (1 window, 3, unchunked)', async () => {
    for (const attentionChunk of [1, 3, 0]) {
      const emit = (shape: InputShape) =>
        compileCheckpoint(checkpoint, { shape, fused: false, attentionChunk }).onnx;
      for (const testCase of model.cases) {
        expect(await runCase(model, testCase, emit), `chunk ${attentionChunk}`).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it('keep the images of a batch apart', async () => {
    const testCase = model.cases[0] as FixtureCase;
    const [, c, h, w] = testCase.input_shape;
    const input = readFloats(testCase.input);
    const pair = new Float32Array(input.length * 2);
    pair.set(input);
    pair.set(
      input.map((v) => 1 - v),
      input.length,
    );
    const shape = [2, c, h, w] as const;
    const runner = await createRunner(
      compileCheckpoint(checkpoint, { shape, fused: false, attentionChunk: 5 }).onnx,
      { device: 'cpu', threads: 2 },
    );
    const out = await runner.run(pair, shape);
    const single = await createRunner(
      compileCheckpoint(checkpoint, { shape: [1, c, h, w], fused: false }).onnx,
      {
        device: 'cpu',
        threads: 2,
      },
    );
    const second = await single.run(pair.subarray(input.length), [1, c, h, w]);
    await Promise.all([runner.release(), single.release()]);
    const half = out.length / 2;
    expect(maxAbsDifference(out.subarray(0, half), readFloats(testCase.output))).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDifference(out.subarray(half), second)).toBeLessThanOrEqual(1e-5);
  });
});

describe('int8 linear layers (the CPU default)', () => {
  it('stay within 1e-2 of the official outputs on SwinIR-S ×2, in both graph forms', async () => {
    const model = index.lightweight_x2 as FixtureModel;
    const checkpoint = readFileSync(sharedPath('fixtures/swinir', model.checkpoint));
    for (const { fused } of GRAPH_FORMS) {
      const emit = (shape: InputShape) =>
        compileCheckpoint(checkpoint, { shape, fused, precision: 'int8' }).onnx;
      for (const testCase of model.cases) {
        expect(await runCase(model, testCase, emit)).toBeLessThanOrEqual(1e-2);
      }
    }
  });
});

describe.each(GRAPH_FORMS)('the golden comparison ($form) bites', ({ fused }) => {
  const model = index.lightweight_x2 as FixtureModel;
  const testCase = model.cases[0] as FixtureCase;
  const tensors = readCheckpoint(readFileSync(sharedPath('fixtures/swinir', model.checkpoint)));
  const { config } = inferConfig(tensors.weights, tensors.otherTensors);
  const emitWith =
    (cfg: SwinIRConfig, weights = tensors.weights, mutate = (g: OnnxGraph) => g) =>
    (shape: InputShape) =>
      serializeModel(mutate(buildSwinIRGraph(cfg, weights, shape, { fused })), {
        opset: 17,
        producerVersion: 'test',
        metadata: {},
      });

  it('passes unmutated', async () => {
    expect(await runCase(model, testCase, emitWith(config))).toBeLessThanOrEqual(1e-4);
  });

  it('fails without the window shift', async () => {
    const unshifted = { ...config, shifted: config.shifted.map((layer) => layer.map(() => false)) };
    expect(await runCase(model, testCase, emitWith(unshifted))).toBeGreaterThan(1e-2);
  });

  it('fails without the relative position bias', async () => {
    const weights = new Map(tensors.weights);
    for (const [key, t] of weights) {
      if (key.endsWith('relative_position_bias_table'))
        weights.set(key, { shape: t.shape, data: new Float32Array(t.data.length) });
    }
    expect(await runCase(model, testCase, emitWith(config, weights))).toBeGreaterThan(1e-2);
  });

  it('fails without the long residual connection around the body', async () => {
    const dropResidual = (graph: OnnxGraph): OnnxGraph => {
      const firstConv = graph.nodes.find((n) => n.opType === 'Conv')?.outputs[0];
      const nodes = graph.nodes.map((n) =>
        n.opType === 'Add' && n.inputs[1] === firstConv
          ? { ...n, opType: 'Identity', inputs: [n.inputs[0] as string] }
          : n,
      );
      expect(nodes.filter((n, i) => n !== graph.nodes[i])).toHaveLength(1);
      return { ...graph, nodes };
    };
    expect(await runCase(model, testCase, emitWith(config, tensors.weights, dropResidual))).toBeGreaterThan(
      1e-2,
    );
  });
});

describe('compiled model size', () => {
  it('SwinIR-S ×2 for 64×64 stores each weight once: under 5 MB, little beyond the weights themselves', () => {
    const checkpoint = readFileSync(sharedPath('fixtures/swinir/lightweight_x2.pth'));
    const { onnx } = compileCheckpoint(checkpoint, { shape: [1, 3, 64, 64] });
    const weightBytes = 910_152 * 4;
    expect(onnx.byteLength).toBeLessThan(5_000_000);
    // Shared window indices, labels and graph structure add well under 10% (compile time is in `swinup bench`).
    expect(onnx.byteLength - weightBytes).toBeLessThan(weightBytes * 0.1);
  });
});

describe('damaged weights', () => {
  it('refuses a checkpoint holding NaN or infinity, naming the tensor', () => {
    const tensors = readCheckpoint(readFileSync(sharedPath('fixtures/swinir/lightweight_x2.pth')));
    const damaged = new Map(tensors.weights);
    const norm = damaged.get('layers.1.residual_group.blocks.0.norm1.weight');
    if (norm === undefined) throw new Error('fixture lacks the tensor');
    const data = Float32Array.from(norm.data);
    data[3] = Number.NaN;
    damaged.set('layers.1.residual_group.blocks.0.norm1.weight', { shape: norm.shape, data });
    expect(() => inferConfig(damaged, tensors.otherTensors)).toThrow(
      /tensor layers\.1\.residual_group\.blocks\.0\.norm1\.weight holds NaN at element 3/,
    );
    data[3] = Number.NEGATIVE_INFINITY;
    expect(() => inferConfig(damaged, tensors.otherTensors)).toThrow(/holds -Infinity at element 3/);
  });
});

describe('inspectCheckpoint', () => {
  it('returns the config and state dict key that compiling finds, and honours hints', () => {
    const checkpoint = readFileSync(sharedPath('fixtures/swinir/color_dn_small.pth'));
    const compiled = compileCheckpoint(checkpoint, { shape: [1, 3, 8, 8] });
    const inspected = inspectCheckpoint(checkpoint);
    expect(inspected).toEqual({
      config: compiled.config,
      imgRangeSource: 'default',
      stateDictKey: compiled.stateDictKey,
    });
    expect(inspectCheckpoint(checkpoint, { imgRange: 255 })).toMatchObject({
      config: { img_range: 255 },
      imgRangeSource: 'hint',
    });
  });

  it('refuses bytes that are not a SwinIR checkpoint', () => {
    expect(() => inspectCheckpoint(new TextEncoder().encode('not a checkpoint'))).toThrow(
      /not a SwinIR checkpoint/,
    );
  });
});
