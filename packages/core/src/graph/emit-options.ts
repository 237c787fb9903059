/** What the SwinIR graph emitter is asked for besides the weights: the input shape and how to emit. */

/** Input shape of the emitted graph: batch × channels × height × width. */
export type InputShape = readonly [number, number, number, number];

/** Precision of the linear layers. */
export type Precision = 'fp32' | 'int8';

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
   * Windows per attention chunk in the plain graph (default: `DEFAULT_ATTENTION_CHUNK` of
   * `window-attention.ts`, or more so a block has at most 32 chunks; 0: no chunks).
   */
  readonly attentionChunk?: number;
}
