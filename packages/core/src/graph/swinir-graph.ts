import type { WeightTensor } from '../checkpoint/tensor.js';
import { floatToHalf } from '../checkpoint/tensor.js';
import { SwinupError } from '../errors.js';
import { float, GraphBuilder, halfBytes } from './graph-builder.js';
import type { OnnxGraph } from './onnx-model.js';
import type { SwinIRConfig } from './swinir-config.js';
import {
  invertPermutation,
  relativePositionIndex,
  shiftRegionLabels,
  windowPermutation,
} from './window-indices.js';

/** Input shape of the emitted graph: batch × channels × height × width. */
export type InputShape = readonly [number, number, number, number];

/** Options of the emitter. */
export interface EmitOptions {
  /** Store weights as float16 (computation stays float32 after a Cast); halves the file for GPU use. */
  readonly float16Weights?: boolean;
}

const RGB_MEAN = [0.4488, 0.4371, 0.404];
const LAYER_NORM_EPSILON = 1e-5;

/** Builds the ONNX graph of a SwinIR model for one fixed input shape, exactly as the official forward pass. */
export function buildSwinIRGraph(
  config: SwinIRConfig,
  weights: ReadonlyMap<string, WeightTensor>,
  shape: InputShape,
  options: EmitOptions = {},
): OnnxGraph {
  const [batch, channels, height, width] = shape;
  const ws = config.window_size;
  if (channels !== config.in_chans) {
    throw new SwinupError(
      'INVALID_SHAPE',
      `shape has ${channels} channels but the model takes ${config.in_chans}`,
    );
  }
  if (height % ws !== 0 || width % ws !== 0 || height <= 0 || width <= 0 || batch <= 0) {
    throw new SwinupError(
      'INVALID_SHAPE',
      `shape ${shape.join('x')} is not allowed: height and width must be positive multiples of the window size ${ws}`,
    );
  }
  const g = new GraphBuilder();
  const emitter = new SwinIREmitter(g, config, weights, shape, options);
  const output = emitter.forward('input');
  g.rename(output, 'output');
  const scale = config.upscale;
  return g.build(
    'swinir',
    [{ name: 'input', dataType: 'float32', shape: [...shape] }],
    [{ name: 'output', dataType: 'float32', shape: [batch, channels, height * scale, width * scale] }],
  );
}

class SwinIREmitter {
  private readonly tokens: number;
  private readonly perms = new Map<number, { forward: string; backward: string }>();
  private sharedMask: string | undefined;
  private relativeIndex: string | undefined;

  constructor(
    private readonly g: GraphBuilder,
    private readonly config: SwinIRConfig,
    private readonly weights: ReadonlyMap<string, WeightTensor>,
    private readonly shape: InputShape,
    private readonly options: EmitOptions,
  ) {
    this.tokens = shape[2] * shape[3];
  }

  forward(input: string): string {
    const { g, config } = this;
    const mean = this.meanConstant();
    let x = mean === undefined ? input : g.op('Sub', [input, mean]);
    if (config.img_range !== 1) x = g.op('Mul', [x, this.scalar(config.img_range)]);
    const first = this.conv('conv_first', x);
    const body = g.op('Add', [this.residualConv('conv_after_body', this.features(first)), first]);
    let out: string;
    switch (config.upsampler) {
      case 'pixelshuffle':
        out = this.conv('conv_last', this.pixelShuffleHead(body));
        break;
      case 'pixelshuffledirect':
        out = g.op('DepthToSpace', [this.conv('upsample.0', body)], {
          blocksize: config.upscale,
          mode: 'CRD',
        });
        break;
      case 'nearest+conv':
        out = this.nearestConvHead(body);
        break;
      case 'none':
        out = g.op('Add', [x, this.conv('conv_last', body)]);
        break;
    }
    if (config.img_range !== 1) out = g.op('Div', [out, this.scalar(config.img_range)]);
    return mean === undefined ? g.op('Identity', [out]) : g.op('Add', [out, mean]);
  }

  private meanConstant(): string | undefined {
    if (this.config.in_chans !== 3) return undefined;
    return this.g.floats('rgb_mean', [1, 3, 1, 1], RGB_MEAN);
  }

  private scalar(value: number): string {
    return this.g.floats(`scalar_${value}`, [], [value]);
  }

  private ints(values: readonly number[]): string {
    return this.g.int64s(`ints_${values.join('_')}`, [values.length], values);
  }

  /** A weight as stored in the checkpoint (optionally transposed for MatMul), cast back if stored as half. */
  private weight(name: string, transpose2d = false): string {
    const tensor = this.weights.get(name);
    if (tensor === undefined) throw new SwinupError('UNKNOWN_ARCHITECTURE', `missing weight ${name}`);
    let dims = [...tensor.shape];
    let data = tensor.data;
    if (transpose2d) {
      const [rows, cols] = dims as [number, number];
      data = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) data[c * rows + r] = tensor.data[r * cols + c] as number;
      dims = [cols, rows];
    }
    if (!this.options.float16Weights) return this.g.floats(name, dims, data);
    const half = this.g.constant(name, 'float16', dims, halfBytes(data, floatToHalf));
    return this.g.op('Cast', [half], { to: 1 });
  }

  private conv(name: string, x: string): string {
    const kernel = this.weights.get(`${name}.weight`)?.shape[2] ?? 3;
    const pad = (kernel - 1) / 2;
    return this.g.op('Conv', [x, this.weight(`${name}.weight`), this.weight(`${name}.bias`)], {
      kernel_shape: [kernel, kernel],
      pads: [pad, pad, pad, pad],
    });
  }

  private residualConv(name: string, x: string): string {
    if (this.config.resi_connection === '1conv') return this.conv(name, x);
    const a = this.leakyRelu(this.conv(`${name}.0`, x), 0.2);
    const b = this.leakyRelu(this.conv(`${name}.2`, a), 0.2);
    return this.conv(`${name}.4`, b);
  }

  private leakyRelu(x: string, alpha: number): string {
    return this.g.op('LeakyRelu', [x], { alpha: float(alpha) });
  }

  private layerNorm(name: string, x: string): string {
    return this.g.op('LayerNormalization', [x, this.weight(`${name}.weight`), this.weight(`${name}.bias`)], {
      axis: -1,
      epsilon: float(LAYER_NORM_EPSILON),
    });
  }

  private linear(name: string, x: string): string {
    const y = this.g.op('MatMul', [x, this.weight(`${name}.weight`, true)]);
    return this.g.op('Add', [y, this.weight(`${name}.bias`)]);
  }

  /** NCHW feature map → B×L×C tokens. */
  private toTokens(x: string): string {
    const [b, , h, w] = this.shape;
    const flat = this.g.op('Reshape', [x, this.ints([b, this.config.embed_dim, h * w])]);
    return this.g.op('Transpose', [flat], { perm: [0, 2, 1] });
  }

  /** B×L×C tokens → NCHW feature map. */
  private toImage(t: string): string {
    const [b, , h, w] = this.shape;
    const chw = this.g.op('Transpose', [t], { perm: [0, 2, 1] });
    return this.g.op('Reshape', [chw, this.ints([b, this.config.embed_dim, h, w])]);
  }

  private features(x: string): string {
    let t = this.layerNorm('patch_embed.norm', this.toTokens(x));
    this.config.depths.forEach((depth, i) => {
      const residual = t;
      for (let j = 0; j < depth; j++) {
        t = this.block(`layers.${i}.residual_group.blocks.${j}`, t, i, this.config.shifted[i]?.[j] ?? false);
      }
      const conv = this.residualConv(`layers.${i}.conv`, this.toImage(t));
      t = this.g.op('Add', [this.toTokens(conv), residual]);
    });
    return this.toImage(this.layerNorm('norm', t));
  }

  private permutation(shift: number): { forward: string; backward: string } {
    const cached = this.perms.get(shift);
    if (cached !== undefined) return cached;
    const [, , h, w] = this.shape;
    const perm = windowPermutation(h, w, this.config.window_size, shift);
    const result = {
      forward: this.g.int64s(`window_perm_shift${shift}`, [perm.length], perm),
      backward: this.g.int64s(`window_unperm_shift${shift}`, [perm.length], invertPermutation(perm)),
    };
    this.perms.set(shift, result);
    return result;
  }

  /** The shifted-window mask (1×nW×1×N×N), computed once in the graph from region labels and shared by all layers. */
  private mask(): string {
    if (this.sharedMask !== undefined) return this.sharedMask;
    const [, , h, w] = this.shape;
    const ws = this.config.window_size;
    const n = ws * ws;
    const windows = (h * w) / n;
    const labels = this.g.floats(
      'shift_region_labels',
      [windows, n],
      shiftRegionLabels(h, w, ws, Math.floor(ws / 2)),
    );
    const rows = this.g.op('Reshape', [labels, this.ints([1, windows, 1, n, 1])]);
    const cols = this.g.op('Reshape', [labels, this.ints([1, windows, 1, 1, n])]);
    const same = this.g.op('Equal', [cols, rows]);
    this.sharedMask = this.g.op('Where', [same, this.scalar(0), this.scalar(-100)]);
    return this.sharedMask;
  }

  private block(name: string, t: string, layer: number, shifted: boolean): string {
    const { g } = this;
    const [b] = this.shape;
    const ws = this.config.window_size;
    const n = ws * ws;
    const c = this.config.embed_dim;
    const windows = this.tokens / n;
    const perm = this.permutation(shifted ? Math.floor(ws / 2) : 0);
    const normed = this.layerNorm(`${name}.norm1`, t);
    const windowed = g.op('Reshape', [
      g.op('Gather', [normed, perm.forward], { axis: 1 }),
      this.ints([b * windows, n, c]),
    ]);
    const attended = this.attention(`${name}.attn`, windowed, layer, shifted);
    const restored = g.op(
      'Gather',
      [g.op('Reshape', [attended, this.ints([b, this.tokens, c])]), perm.backward],
      {
        axis: 1,
      },
    );
    const afterAttention = g.op('Add', [t, restored]);
    const hidden = this.gelu(this.linear(`${name}.mlp.fc1`, this.layerNorm(`${name}.norm2`, afterAttention)));
    return g.op('Add', [afterAttention, this.linear(`${name}.mlp.fc2`, hidden)]);
  }

  private gelu(x: string): string {
    const { g } = this;
    const erf = g.op('Erf', [g.op('Div', [x, this.scalar(Math.SQRT2)])]);
    return g.op('Mul', [g.op('Mul', [x, g.op('Add', [erf, this.scalar(1)])]), this.scalar(0.5)]);
  }

  private attention(name: string, x: string, layer: number, shifted: boolean): string {
    const { g } = this;
    const [b] = this.shape;
    const ws = this.config.window_size;
    const n = ws * ws;
    const c = this.config.embed_dim;
    const heads = this.config.num_heads[layer] as number;
    const windows = this.tokens / n;
    const batchWindows = b * windows;
    const qkv = g.op('Reshape', [
      this.linear(`${name}.qkv`, x),
      this.ints([batchWindows, n, 3, heads, c / heads]),
    ]);
    const split = g.op('Transpose', [qkv], { perm: [2, 0, 3, 1, 4] });
    const pick = (k: number) => g.op('Gather', [split, g.int64s(`index_${k}`, [], [k])], { axis: 0 });
    const q = g.op('Mul', [pick(0), this.scalar(Math.fround((c / heads) ** -0.5))]);
    const kT = g.op('Transpose', [pick(1)], { perm: [0, 1, 3, 2] });
    let scores = g.op('Add', [g.op('MatMul', [q, kT]), this.relativeBias(name, heads)]);
    if (shifted) {
      const perWindow = g.op('Reshape', [scores, this.ints([b, windows, heads, n, n])]);
      const masked = g.op('Add', [perWindow, this.mask()]);
      scores = g.op('Reshape', [masked, this.ints([batchWindows, heads, n, n])]);
    }
    const attention = g.op('Softmax', [scores], { axis: -1 });
    const mixed = g.op('Transpose', [g.op('MatMul', [attention, pick(2)])], { perm: [0, 2, 1, 3] });
    return this.linear(`${name}.proj`, g.op('Reshape', [mixed, this.ints([batchWindows, n, c])]));
  }

  /** heads×N×N bias gathered from the layer's table through the one shared relative position index. */
  private relativeBias(name: string, heads: number): string {
    const n = this.config.window_size ** 2;
    this.relativeIndex ??= this.g.int64s(
      'relative_position_index',
      [n * n],
      relativePositionIndex(this.config.window_size),
    );
    const table = this.weight(`${name}.relative_position_bias_table`);
    const gathered = this.g.op('Gather', [table, this.relativeIndex], { axis: 0 });
    const square = this.g.op('Reshape', [gathered, this.ints([n, n, heads])]);
    return this.g.op('Transpose', [square], { perm: [2, 0, 1] });
  }

  private pixelShuffleHead(body: string): string {
    let x = this.leakyRelu(this.conv('conv_before_upsample.0', body), 0.01);
    const factors =
      this.config.upscale === 3 ? [3] : Array.from({ length: Math.log2(this.config.upscale) }, () => 2);
    factors.forEach((f, k) => {
      x = this.g.op('DepthToSpace', [this.conv(`upsample.${2 * k}`, x)], { blocksize: f, mode: 'CRD' });
    });
    return x;
  }

  private nearestConvHead(body: string): string {
    const { g } = this;
    const doubled = (x: string) =>
      g.op('Resize', [x, '', g.floats('resize_scales_2x', [4], [1, 1, 2, 2])], {
        mode: 'nearest',
        coordinate_transformation_mode: 'asymmetric',
        nearest_mode: 'floor',
      });
    let x = this.leakyRelu(this.conv('conv_before_upsample.0', body), 0.01);
    x = this.leakyRelu(this.conv('conv_up1', doubled(x)), 0.2);
    if (this.config.upscale === 4) x = this.leakyRelu(this.conv('conv_up2', doubled(x)), 0.2);
    return this.conv('conv_last', this.leakyRelu(this.conv('conv_hr', x), 0.2));
  }
}
