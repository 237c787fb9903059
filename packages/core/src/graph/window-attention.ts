/**
 * Shifted-window self-attention subgraphs of a SwinIR block: one fused MultiHeadAttention kernel, or
 * the plain standard-op form computed in cache-sized chunks of windows. Index tables, masks and the
 * relative position index are emitted once per graph and shared by every block that needs them.
 */

import type { InputShape } from './emit-options.js';
import { CONTRIB_DOMAIN, float } from './graph-builder.js';
import type { LayerEmitter } from './layer-emitter.js';
import type { SwinIRConfig } from './swinir-config.js';
import { type QkvPart, qkvBiasPart, qkvWeightPart, scaled } from './weight-transforms.js';
import { MASKED_SCORE, planWindowChunks } from './window-chunks.js';
import {
  invertPermutation,
  relativePositionIndex,
  shiftRegionLabels,
  windowPermutation,
} from './window-indices.js';

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
/** ONNX TensorProto code of int32 (MultiHeadAttention's mask type). */
const ONNX_INT32 = 6;
const QKV_PARTS: readonly QkvPart[] = [0, 1, 2];

interface ChunkConstants {
  /** Gather index of the tokens in chunk order. */
  readonly rows: string;
  /** Split sizes (windows per chunk). */
  readonly sizes: string;
  /** Per chunk, its additive shift mask when it has one. */
  readonly chunks: readonly { mask: string | undefined }[];
  readonly headRows: (heads: number) => string;
}

/** Emits the window attention of every block of one graph, sharing its constants between blocks. */
export class WindowAttention {
  private readonly tokens: number;
  private readonly perms = new Map<number, { forward: string; backward: string }>();
  private readonly chunkConstants = new Map<number, ChunkConstants>();
  private sharedKeepMask: string | undefined;
  private sameRegionPairs: string | undefined;
  private relativeIndex: string | undefined;

  constructor(
    private readonly layers: LayerEmitter,
    private readonly config: SwinIRConfig,
    private readonly shape: InputShape,
    private readonly attentionChunk: number | undefined,
  ) {
    this.tokens = shape[2] * shape[3];
  }

  /** The attention module `name` of a block of `layer` over B×L×C tokens, windows rolled by −`shift`. */
  attend(name: string, x: string, layer: number, shift: number): string {
    return this.layers.fused
      ? this.fusedAttention(name, x, layer, shift)
      : this.plainAttention(name, x, layer, shift);
  }

  private permutation(shift: number): { forward: string; backward: string } {
    const cached = this.perms.get(shift);
    if (cached !== undefined) return cached;
    const { g } = this.layers;
    const [, , h, w] = this.shape;
    const perm = windowPermutation(h, w, this.config.window_size, shift);
    const result = {
      forward: g.int64s(`window_perm_shift${shift}`, [perm.length], perm),
      backward: g.int64s(`window_unperm_shift${shift}`, [perm.length], invertPermutation(perm)),
    };
    this.perms.set(shift, result);
    return result;
  }

  /** Whether two tokens of a shifted window come from the same image region (1×nW×1×N×N booleans). */
  private sameRegion(): string {
    if (this.sameRegionPairs !== undefined) return this.sameRegionPairs;
    const { g } = this.layers;
    const [, , h, w] = this.shape;
    const ws = this.config.window_size;
    const n = ws * ws;
    const windows = (h * w) / n;
    const labels = g.floats(
      'shift_region_labels',
      [windows, n],
      shiftRegionLabels(h, w, ws, Math.floor(ws / 2)),
    );
    const rows = g.op('Reshape', [labels, this.layers.ints([1, windows, 1, n, 1])]);
    const cols = g.op('Reshape', [labels, this.layers.ints([1, windows, 1, 1, n])]);
    this.sameRegionPairs = g.op('Equal', [cols, rows]);
    return this.sameRegionPairs;
  }

  /**
   * The shifted-window mask as MultiHeadAttention's (batch·nW)×N×N int32 keep-mask: one N×N table per
   * window instead of a float bias per window and head, so it stays small for large tiles.
   */
  private keepMask(): string {
    if (this.sharedKeepMask !== undefined) return this.sharedKeepMask;
    const { g } = this.layers;
    const [b, , h, w] = this.shape;
    const n = this.config.window_size ** 2;
    const windows = (h * w) / n;
    const perWindow = g.op(
      'Cast',
      [g.op('Reshape', [this.sameRegion(), this.layers.ints([windows, n, n])])],
      {
        to: ONNX_INT32,
      },
    );
    this.sharedKeepMask = b === 1 ? perWindow : g.op('Tile', [perWindow, this.layers.ints([b, 1, 1])]);
    return this.sharedKeepMask;
  }

  /**
   * One MultiHeadAttention kernel per block on the windowed tokens: q, k and v come from column slices of
   * the qkv weight, the qkv bias is the kernel's own bias input, the relative position bias its additive
   * attention bias (folded to a constant by ONNX Runtime) and the shift mask its keep-mask.
   */
  private fusedAttention(name: string, x: string, layer: number, shift: number): string {
    const { layers } = this;
    const { g } = layers;
    const [b] = this.shape;
    const c = this.config.embed_dim;
    const heads = this.config.num_heads[layer] as number;
    const n = this.config.window_size ** 2;
    const perm = this.permutation(shift);
    const windowed = g.op('Reshape', [
      g.op('Gather', [x, perm.forward], { axis: 1 }),
      layers.ints([(b * this.tokens) / n, n, c]),
    ]);
    const qkvWeight = layers.transposed(`${name}.qkv.weight`);
    const [q, k, v] = QKV_PARTS.map((part) =>
      layers.matMul(`${name}.qkv.weight_${part}`, windowed, qkvWeightPart(qkvWeight, part)),
    );
    const bias = g.op('Reshape', [this.relativeBias(name, heads), layers.ints([1, heads, n, n])]);
    const attended = g.add(
      'MultiHeadAttention',
      [
        q as string,
        k as string,
        v as string,
        layers.weight(`${name}.qkv.bias`),
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
      layers.linear(`${name}.proj`, attended),
      layers.ints([b, this.tokens, c]),
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
    const { layers } = this;
    const { g } = layers;
    const [b] = this.shape;
    const n = this.config.window_size ** 2;
    const c = this.config.embed_dim;
    const heads = this.config.num_heads[layer] as number;
    const hd = c / heads;
    const plan = this.windowChunks(shift);
    const qkvWeight = layers.transposed(`${name}.qkv.weight`);
    const qkvBias = layers.tensor(`${name}.qkv.bias`).data;
    const scale = Math.fround(hd ** -0.5);
    const relativeBias = this.relativeBias(name, heads);
    const flat = g.op('Reshape', [x, layers.ints([b * this.tokens, c])]);
    const windowed = g.op('Gather', [flat, plan.rows], { axis: 0 });
    // q, v as windows×heads×N×hd and k already transposed to …×hd×N for q·kᵀ, then split into chunks.
    const [qs, kTs, vs] = QKV_PARTS.map((part) => {
      const factor = part === 0 ? scale : 1;
      const y = layers.matMul(
        `${name}.qkv.weight_${part}`,
        windowed,
        { shape: [c, c], data: scaled(qkvWeightPart(qkvWeight, part).data, factor) },
        layers.constantOf(`${name}.qkv.bias_${part}`, [c], scaled(qkvBiasPart(qkvBias, part), factor)),
      );
      const split = g.op('Reshape', [y, layers.ints([(b * this.tokens) / n, n, heads, hd])]);
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
    const rows = g.op('Reshape', [mixed, layers.ints([b * this.tokens * heads, hd])]);
    const restored = g.op('Gather', [rows, plan.headRows(heads)], { axis: 0 });
    return layers.linear(`${name}.proj`, g.op('Reshape', [restored, layers.ints([b, this.tokens, c])]));
  }

  /** The chunking of one shift's windows (see {@link planWindowChunks}), as graph constants. */
  private windowChunks(shift: number): ChunkConstants {
    const cached = this.chunkConstants.get(shift);
    if (cached !== undefined) return cached;
    const { g } = this.layers;
    const [b, , h, w] = this.shape;
    const ws = this.config.window_size;
    const windows = (b * h * w) / (ws * ws);
    const chunkWindows =
      this.attentionChunk ?? Math.max(DEFAULT_ATTENTION_CHUNK, Math.ceil(windows / MAX_CHUNKS_PER_BLOCK));
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
      rows: g.int64s(`window_rows_shift${shift}`, [rows.length], rows),
      sizes: g.int64s(
        `chunk_sizes_shift${shift}`,
        [plan.chunks.length],
        plan.chunks.map((chunk) => chunk.windows),
      ),
      chunks: plan.chunks.map((chunk, k) => ({
        mask:
          chunk.mask === undefined
            ? undefined
            : g.floats(`window_mask_${k}`, [chunk.windows, 1, n, n], chunk.mask),
      })),
      headRows: (heads) => {
        let rows = headRows.get(heads);
        if (rows === undefined) {
          rows = g.int64s(`head_rows_shift${shift}_${heads}`, [b * this.tokens, heads], plan.headRows(heads));
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
    const { g } = this.layers;
    const n = this.config.window_size ** 2;
    this.relativeIndex ??= g.int64s(
      'relative_position_index',
      [n * n],
      relativePositionIndex(this.config.window_size),
    );
    const table = this.layers.weight(`${name}.relative_position_bias_table`);
    const gathered = g.op('Gather', [table, this.relativeIndex], { axis: 0 });
    const square = g.op('Reshape', [gathered, this.layers.ints([n, n, heads])]);
    return g.op('Transpose', [square], { perm: [2, 0, 1] });
  }
}
