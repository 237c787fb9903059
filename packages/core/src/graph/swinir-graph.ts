import type { WeightTensor } from '../checkpoint/tensor.js';
import { floatToHalf } from '../checkpoint/tensor.js';
import { SwinupError } from '../errors.js';
import { CONTRIB_DOMAIN, float, GraphBuilder, halfBytes } from './graph-builder.js';
import type { OnnxGraph } from './onnx-model.js';
import type { SwinIRConfig } from './swinir-config.js';
import { MASKED_SCORE, planWindowChunks } from './window-chunks.js';
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
  /**
   * Emit window attention, residual+LayerNorm and GELU as ONNX Runtime's fused contrib operators
   * (MultiHeadAttention, SkipLayerNormalization, Gelu) instead of many small standard ops (default true).
   * `false` gives the plain standard-ONNX graph that any ONNX runtime can load.
   */
  readonly fused?: boolean;
  /**
   * `int8` stores the linear layers' weights as int8 (per output column) and runs them as ONNX Runtime's
   * DynamicQuantizeMatMul, quantising activations per run; convolutions stay float32. Default `fp32`.
   */
  readonly precision?: Precision;
  /**
   * Windows per attention chunk in the plain graph (default: {@link DEFAULT_ATTENTION_CHUNK}, or more so a
   * block has at most 32 chunks; 0: no chunks).
   */
  readonly attentionChunk?: number;
}

/**
 * Windows per attention chunk, at least: a chunk's scores (windows × heads × N × N floats, 0.8 MB for 8
 * windows of 6 heads) stay in a core's cache.
 */
export const DEFAULT_ATTENTION_CHUNK = 8;
/**
 * Chunks per block, at most: ONNX Runtime's session creation time grows faster than the node count (a
 * 192² tile loaded in 1.8 s with 72 chunks per block and 0.47 s with 32, and ran within 4 %).
 */
const MAX_CHUNKS_PER_BLOCK = 32;

interface ChunkConstants {
  /** Gather index of the tokens in chunk order. */
  readonly rows: string;
  /** Split sizes (windows per chunk). */
  readonly sizes: string;
  /** Per chunk, its additive shift mask when it has one. */
  readonly chunks: readonly { mask: string | undefined }[];
  readonly headRows: (heads: number) => string;
}

/** Precision of the linear layers. */
export type Precision = 'fp32' | 'int8';

const RGB_MEAN = [0.4488, 0.4371, 0.404];
const LAYER_NORM_EPSILON = 1e-5;
/** ONNX TensorProto code of int32 (MultiHeadAttention's mask type). */
const ONNX_INT32 = 6;

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
  private readonly fused: boolean;
  private readonly perms = new Map<number, { forward: string; backward: string }>();
  private readonly chunkConstants = new Map<number, ChunkConstants>();
  private sharedKeepMask: string | undefined;
  private sameRegionPairs: string | undefined;
  private relativeIndex: string | undefined;

  constructor(
    private readonly g: GraphBuilder,
    private readonly config: SwinIRConfig,
    private readonly weights: ReadonlyMap<string, WeightTensor>,
    private readonly shape: InputShape,
    private readonly options: EmitOptions,
  ) {
    this.tokens = shape[2] * shape[3];
    this.fused = options.fused ?? true;
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

  private tensor(name: string): WeightTensor {
    const tensor = this.weights.get(name);
    if (tensor === undefined) throw new SwinupError('UNKNOWN_ARCHITECTURE', `missing weight ${name}`);
    return tensor;
  }

  /** A 2-D weight transposed for `x @ W` (PyTorch stores out × in). */
  private transposed(name: string): WeightTensor {
    const tensor = this.tensor(name);
    const [rows, cols] = tensor.shape as [number, number];
    const data = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) data[c * rows + r] = tensor.data[r * cols + c] as number;
    return { ...tensor, shape: [cols, rows], data };
  }

  /** A weight as stored in the checkpoint, cast back if stored as half. */
  private weight(name: string): string {
    const tensor = this.tensor(name);
    return this.constantOf(name, tensor.shape, tensor.data);
  }

  private constantOf(name: string, dims: readonly number[], data: Float32Array): string {
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

  /** `x + skip` and its LayerNorm; one SkipLayerNormalization kernel when fused, which also returns the sum. */
  private addAndNorm(name: string, x: string, skip: string): { sum: string; normed: string } {
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

  private linear(name: string, x: string): string {
    return this.matMul(`${name}.weight`, x, this.transposed(`${name}.weight`), this.weight(`${name}.bias`));
  }

  /** `x @ matrix (+ bias)`, with `matrix` (in × out) quantised to int8 per output column at `int8` precision. */
  private matMul(name: string, x: string, matrix: WeightTensor, bias?: string): string {
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

  /** Whether two tokens of a shifted window come from the same image region (1×nW×1×N×N booleans). */
  private sameRegion(): string {
    if (this.sameRegionPairs !== undefined) return this.sameRegionPairs;
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
    this.sameRegionPairs = this.g.op('Equal', [cols, rows]);
    return this.sameRegionPairs;
  }

  /**
   * The shifted-window mask as MultiHeadAttention's (batch·nW)×N×N int32 keep-mask: one N×N table per
   * window instead of a float bias per window and head, so it stays small for large tiles.
   */
  private keepMask(): string {
    if (this.sharedKeepMask !== undefined) return this.sharedKeepMask;
    const [b, , h, w] = this.shape;
    const n = this.config.window_size ** 2;
    const windows = (h * w) / n;
    const perWindow = this.g.op(
      'Cast',
      [this.g.op('Reshape', [this.sameRegion(), this.ints([windows, n, n])])],
      {
        to: ONNX_INT32,
      },
    );
    this.sharedKeepMask = b === 1 ? perWindow : this.g.op('Tile', [perWindow, this.ints([b, 1, 1])]);
    return this.sharedKeepMask;
  }

  private block(name: string, t: string, layer: number, shifted: boolean): string {
    const { g } = this;
    const shift = shifted ? Math.floor(this.config.window_size / 2) : 0;
    const normed = this.layerNorm(`${name}.norm1`, t);
    const attended = this.fused
      ? this.fusedAttention(`${name}.attn`, normed, layer, shift)
      : this.plainAttention(`${name}.attn`, normed, layer, shift);
    const { sum: afterAttention, normed: normed2 } = this.addAndNorm(`${name}.norm2`, attended, t);
    const hidden = this.gelu(this.linear(`${name}.mlp.fc1`, normed2));
    return g.op('Add', [afterAttention, this.linear(`${name}.mlp.fc2`, hidden)]);
  }

  private gelu(x: string): string {
    const { g } = this;
    if (this.fused) return g.contrib('Gelu', [x]);
    const erf = g.op('Erf', [g.op('Div', [x, this.scalar(Math.SQRT2)])]);
    return g.op('Mul', [g.op('Mul', [x, g.op('Add', [erf, this.scalar(1)])]), this.scalar(0.5)]);
  }

  /**
   * One MultiHeadAttention kernel per block on the windowed tokens: q, k and v come from column slices of
   * the qkv weight, the qkv bias is the kernel's own bias input, the relative position bias its additive
   * attention bias (folded to a constant by ONNX Runtime) and the shift mask its keep-mask.
   */
  private fusedAttention(name: string, x: string, layer: number, shift: number): string {
    const { g } = this;
    const [b] = this.shape;
    const c = this.config.embed_dim;
    const heads = this.config.num_heads[layer] as number;
    const n = this.config.window_size ** 2;
    const perm = this.permutation(shift);
    const windowed = g.op('Reshape', [
      g.op('Gather', [x, perm.forward], { axis: 1 }),
      this.ints([(b * this.tokens) / n, n, c]),
    ]);
    const qkvWeight = this.transposed(`${name}.qkv.weight`);
    const [q, k, v] = [0, 1, 2].map((part) =>
      this.matMul(`${name}.qkv.weight_${part}`, windowed, columnsOf(qkvWeight, part * c, c)),
    );
    const bias = g.op('Reshape', [this.relativeBias(name, heads), this.ints([1, heads, n, n])]);
    const attended = g.add(
      'MultiHeadAttention',
      [
        q as string,
        k as string,
        v as string,
        this.weight(`${name}.qkv.bias`),
        shift > 0 ? this.keepMask() : '',
        bias,
      ],
      {
        num_heads: heads,
        scale: float(Math.fround((c / heads) ** -0.5)),
        mask_filter_value: float(MASKED_SCORE),
      },
      { domain: CONTRIB_DOMAIN },
    )[0] as string;
    const projected = g.op('Reshape', [
      this.linear(`${name}.proj`, attended),
      this.ints([b, this.tokens, c]),
    ]);
    return g.op('Gather', [projected, perm.backward], { axis: 1 });
  }

  /**
   * Window attention from standard ops, in chunks of windows so that each chunk's scores stay in the
   * core's cache through MatMul, bias, mask, Softmax and MatMul. q, k and v come from three linears, each
   * split into heads by a Transpose that only swaps two adjacent axes (ONNX Runtime's fast path) and then
   * into chunks; the attention scale is folded into the q weights. Windows that the shift mask leaves whole
   * are chunked apart from the mixed ones, so only those chunks add a mask. One Gather takes the chunks'
   * attn·V straight back to image order with the heads merged.
   */
  private plainAttention(name: string, x: string, layer: number, shift: number): string {
    const { g } = this;
    const [b] = this.shape;
    const n = this.config.window_size ** 2;
    const c = this.config.embed_dim;
    const heads = this.config.num_heads[layer] as number;
    const hd = c / heads;
    const plan = this.windowChunks(shift);
    const qkvWeight = this.transposed(`${name}.qkv.weight`);
    const qkvBias = this.tensor(`${name}.qkv.bias`).data;
    const scale = Math.fround(hd ** -0.5);
    const relativeBias = this.relativeBias(name, heads);
    const flat = g.op('Reshape', [x, this.ints([b * this.tokens, c])]);
    const windowed = g.op('Gather', [flat, plan.rows], { axis: 0 });
    // q, v as windows×heads×N×hd and k already transposed to …×hd×N for q·kᵀ, then split into chunks.
    const [qs, kTs, vs] = [0, 1, 2].map((part) => {
      const factor = part === 0 ? scale : 1;
      const y = this.matMul(
        `${name}.qkv.weight_${part}`,
        windowed,
        { shape: [c, c], data: scaled(columnsOf(qkvWeight, part * c, c).data, factor) },
        this.constantOf(
          `${name}.qkv.bias_${part}`,
          [c],
          scaled(qkvBias.subarray(part * c, (part + 1) * c), factor),
        ),
      );
      const split = g.op('Reshape', [y, this.ints([(b * this.tokens) / n, n, heads, hd])]);
      const perHead = g.op('Transpose', [split], { perm: part === 1 ? [0, 2, 3, 1] : [0, 2, 1, 3] });
      if (plan.chunks.length === 1) return [perHead];
      return g.add('Split', [perHead, plan.sizes], { axis: 0 }, { outputs: plan.chunks.map(() => true) });
    }) as [string[], string[], string[]];
    const chunks = plan.chunks.map((chunk, k) => {
      let scores = g.op('Add', [g.op('MatMul', [qs[k] as string, kTs[k] as string]), relativeBias]);
      if (chunk.mask !== undefined) scores = g.op('Add', [scores, chunk.mask]);
      return g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), vs[k] as string]);
    });
    const mixed = chunks.length === 1 ? (chunks[0] as string) : g.op('Concat', chunks, { axis: 0 });
    const rows = g.op('Reshape', [mixed, this.ints([b * this.tokens * heads, hd])]);
    const restored = g.op('Gather', [rows, plan.headRows(heads)], { axis: 0 });
    return this.linear(`${name}.proj`, g.op('Reshape', [restored, this.ints([b, this.tokens, c])]));
  }

  /** The chunking of one shift's windows (see {@link planWindowChunks}), as graph constants. */
  private windowChunks(shift: number): ChunkConstants {
    const cached = this.chunkConstants.get(shift);
    if (cached !== undefined) return cached;
    const [b, , h, w] = this.shape;
    const ws = this.config.window_size;
    const windows = (b * h * w) / (ws * ws);
    const chunkWindows =
      this.options.attentionChunk ??
      Math.max(DEFAULT_ATTENTION_CHUNK, Math.ceil(windows / MAX_CHUNKS_PER_BLOCK));
    const plan = planWindowChunks(b, h, w, ws, shift, chunkWindows);
    const n = ws * ws;
    const headRows = new Map<number, string>();
    const rows = new Int32Array(b * this.tokens);
    let offset = 0;
    for (const chunk of plan.chunks) {
      rows.set(chunk.rows, offset);
      offset += chunk.rows.length;
    }
    const constants: ChunkConstants = {
      rows: this.g.int64s(`window_rows_shift${shift}`, [rows.length], rows),
      sizes: this.g.int64s(
        `chunk_sizes_shift${shift}`,
        [plan.chunks.length],
        plan.chunks.map((chunk) => chunk.windows),
      ),
      chunks: plan.chunks.map((chunk, k) => ({
        mask:
          chunk.mask === undefined
            ? undefined
            : this.g.floats(`window_mask_${k}`, [chunk.windows, 1, n, n], chunk.mask),
      })),
      headRows: (heads) => {
        let rows = headRows.get(heads);
        if (rows === undefined) {
          rows = this.g.int64s(
            `head_rows_shift${shift}_${heads}`,
            [b * this.tokens, heads],
            plan.headRows(heads),
          );
          headRows.set(heads, rows);
        }
        return rows;
      },
    };
    this.chunkConstants.set(shift, constants);
    return constants;
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

/** Columns [from, from + count) of a 2-D matrix. */
function columnsOf(matrix: WeightTensor, from: number, count: number): WeightTensor {
  const [rows, cols] = matrix.shape as [number, number];
  const data = new Float32Array(rows * count);
  for (let r = 0; r < rows; r++)
    data.set(matrix.data.subarray(r * cols + from, r * cols + from + count), r * count);
  return { shape: [rows, count], data };
}

/** The values multiplied by `factor`. */
function scaled(values: Float32Array, factor: number): Float32Array {
  return values.map((v) => v * factor);
}

/** Symmetric int8 quantisation of a 2-D matrix, one scale per column (output feature). */
function quantizeColumns(matrix: WeightTensor): { values: Uint8Array; scales: Float32Array } {
  const [rows, cols] = matrix.shape as [number, number];
  const scales = new Float32Array(cols);
  for (let c = 0; c < cols; c++) {
    let max = 0;
    for (let r = 0; r < rows; r++) max = Math.max(max, Math.abs(matrix.data[r * cols + c] as number));
    scales[c] = max === 0 ? 1 : max / 127;
  }
  const values = new Int8Array(rows * cols);
  for (let i = 0; i < values.length; i++)
    values[i] = Math.round((matrix.data[i] as number) / (scales[i % cols] as number));
  return { values: new Uint8Array(values.buffer), scales };
}
