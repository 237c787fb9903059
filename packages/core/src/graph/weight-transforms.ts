/**
 * Pure transforms of checkpoint weights into the layouts the graph uses: transposed and column-sliced
 * matrices (the fused qkv linear split into q, k and v), scaled values, int8 and float16 encodings.
 */
import type { WeightTensor } from '../checkpoint/tensor.js';
import { floatToHalf } from '../checkpoint/tensor.js';

/** A 2-D weight transposed for `x @ W` (PyTorch stores out × in). */
export function transposeMatrix(tensor: WeightTensor): WeightTensor {
  const [rows, cols] = tensor.shape as [number, number];
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) data[c * rows + r] = tensor.data[r * cols + c] as number;
  return { ...tensor, shape: [cols, rows], data };
}

/** Columns [from, from + count) of a 2-D matrix. */
export function columnsOf(matrix: WeightTensor, from: number, count: number): WeightTensor {
  const [rows, cols] = matrix.shape as [number, number];
  const data = new Float32Array(rows * count);
  for (let r = 0; r < rows; r++)
    data.set(matrix.data.subarray(r * cols + from, r * cols + from + count), r * count);
  return { shape: [rows, count], data };
}

/** Which third of a fused qkv linear: q, k or v. */
export type QkvPart = 0 | 1 | 2;

/** The q, k or v weight (in × C) of a transposed fused qkv weight (in × 3C). */
export function qkvWeightPart(qkv: WeightTensor, part: QkvPart): WeightTensor {
  const channels = (qkv.shape[1] as number) / 3;
  return columnsOf(qkv, part * channels, channels);
}

/** The q, k or v bias (C values) of a fused qkv bias (3C values). */
export function qkvBiasPart(bias: Float32Array, part: QkvPart): Float32Array {
  const channels = bias.length / 3;
  return bias.subarray(part * channels, (part + 1) * channels);
}

/** The values multiplied by `factor`. */
export function scaled(values: Float32Array, factor: number): Float32Array {
  return values.map((v) => v * factor);
}

/** Symmetric int8 quantisation of a 2-D matrix, one scale per column (output feature). */
export function quantizeColumns(matrix: WeightTensor): { values: Uint8Array; scales: Float32Array } {
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

/** float32 values as IEEE half bytes (little-endian: typed arrays are on every platform Node supports). */
export function float16Bytes(values: Float32Array): Uint8Array {
  const half = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) half[i] = floatToHalf(values[i] as number);
  return new Uint8Array(half.buffer);
}
