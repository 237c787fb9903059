/**
 * The building blocks every part of the SwinIR graph is made of, over one checkpoint: shape and scalar
 * constants, weights as float32 or float16 constants, and the weighted layers (linear at fp32 or int8,
 * conv, layer norm, residual + norm) and activations, each standard or fused as the options ask.
 */
import type { WeightTensor } from '../checkpoint/tensor.js';
import { SwinupError } from '../errors.js';
import type { EmitOptions } from './emit-options.js';
import { CONTRIB_DOMAIN, float, type GraphBuilder } from './graph-builder.js';
import { float16Bytes, quantizeColumns, transposeMatrix } from './weight-transforms.js';

const LAYER_NORM_EPSILON = 1e-5;

/** Emits layers of one checkpoint into one graph; `g` is that graph, for the ops no layer covers. */
export class LayerEmitter {
  /** Whether ONNX Runtime's fused contrib operators are emitted (see `EmitOptions.fused`). */
  readonly fused: boolean;

  constructor(
    readonly g: GraphBuilder,
    private readonly weights: ReadonlyMap<string, WeightTensor>,
    private readonly options: EmitOptions,
  ) {
    this.fused = options.fused ?? true;
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    return this.g.floats(`scalar_${value}`, [], [value]);
  }

  /** A 1-D int64 constant, e.g. a Reshape target. */
  ints(values: readonly number[]): string {
    return this.g.int64s(`ints_${values.join('_')}`, [values.length], values);
  }

  /** A checkpoint tensor by name; a missing one means the architecture was misread. */
  tensor(name: string): WeightTensor {
    const tensor = this.weights.get(name);
    if (tensor === undefined) throw new SwinupError('UNKNOWN_ARCHITECTURE', `missing weight ${name}`);
    return tensor;
  }

  /** A 2-D weight transposed for `x @ W`. */
  transposed(name: string): WeightTensor {
    return transposeMatrix(this.tensor(name));
  }

  /** A weight as stored in the checkpoint, cast back if stored as half. */
  weight(name: string): string {
    const tensor = this.tensor(name);
    return this.constantOf(name, tensor.shape, tensor.data);
  }

  /** A float constant, stored as float16 and cast to float32 in the graph when asked for float16 weights. */
  constantOf(name: string, dims: readonly number[], data: Float32Array): string {
    if (!this.options.float16Weights) return this.g.floats(name, dims, data);
    const half = this.g.constant(name, 'float16', dims, float16Bytes(data));
    return this.g.op('Cast', [half], { to: 1 });
  }

  /** The PyTorch `nn.Linear` called `name`. */
  linear(name: string, x: string): string {
    return this.matMul(`${name}.weight`, x, this.transposed(`${name}.weight`), this.weight(`${name}.bias`));
  }

  /** `x @ matrix (+ bias)`, with `matrix` (in × out) quantised to int8 per output column at `int8` precision. */
  matMul(name: string, x: string, matrix: WeightTensor, bias?: string): string {
    const { g } = this;
    if (this.options.precision !== 'int8') {
      const y = g.op('MatMul', [x, this.constantOf(name, matrix.shape, matrix.data)]);
      return bias === undefined ? y : g.op('Add', [y, bias]);
    }
    const { values, scales } = quantizeColumns(matrix);
    const columns = scales.length;
    return g.contrib('DynamicQuantizeMatMul', [
      x,
      g.constant(`${name}_int8`, 'int8', matrix.shape, values),
      g.floats(`${name}_scale`, [columns], scales),
      g.constant(`${name}_zero_point`, 'int8', [columns], new Uint8Array(columns)),
      bias ?? '',
    ]);
  }

  /** The square, same-padded `nn.Conv2d` called `name` (3×3 unless its weight says otherwise). */
  conv(name: string, x: string): string {
    const kernel = this.weights.get(`${name}.weight`)?.shape[2] ?? 3;
    const pad = (kernel - 1) / 2;
    return this.g.op('Conv', [x, this.weight(`${name}.weight`), this.weight(`${name}.bias`)], {
      kernel_shape: [kernel, kernel],
      pads: [pad, pad, pad, pad],
    });
  }

  /** The `nn.LayerNorm` called `name`, over the last axis. */
  layerNorm(name: string, x: string): string {
    return this.g.op('LayerNormalization', [x, this.weight(`${name}.weight`), this.weight(`${name}.bias`)], {
      axis: -1,
      epsilon: float(LAYER_NORM_EPSILON),
    });
  }

  /** `x + skip` and its LayerNorm; one SkipLayerNormalization kernel when fused, which also returns the sum. */
  addAndNorm(name: string, x: string, skip: string): { sum: string; normed: string } {
    if (!this.fused) {
      const sum = this.g.op('Add', [skip, x]);
      return { sum, normed: this.layerNorm(name, sum) };
    }
    const [normed, , , sum] = this.g.add(
      'SkipLayerNormalization',
      [x, skip, this.weight(`${name}.weight`), this.weight(`${name}.bias`)],
      { epsilon: float(LAYER_NORM_EPSILON) },
      { domain: CONTRIB_DOMAIN, outputs: [true, false, false, true] },
    );
    return { sum: sum as string, normed: normed as string };
  }

  /** Exact (erf) GELU, as one Gelu kernel when fused. */
  gelu(x: string): string {
    const { g } = this;
    if (this.fused) return g.contrib('Gelu', [x]);
    const erf = g.op('Erf', [g.op('Div', [x, this.scalar(Math.SQRT2)])]);
    return g.op('Mul', [g.op('Mul', [x, g.op('Add', [erf, this.scalar(1)])]), this.scalar(0.5)]);
  }

  /** LeakyReLU with negative slope `alpha`. */
  leakyRelu(x: string, alpha: number): string {
    return this.g.op('LeakyRelu', [x], { alpha: float(alpha) });
  }
}
