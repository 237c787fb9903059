/** A named weight tensor in float32, row-major (C order), as read from a checkpoint. */
export interface WeightTensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Values in row-major order; length is the product of `shape`. */
  readonly data: Float32Array;
}

/** All tensors of a checkpoint's state dict, keyed by their PyTorch names. */
export type StateDict = ReadonlyMap<string, WeightTensor>;

/** Number of elements a tensor of `shape` holds. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Element types a checkpoint may store weights in. */
export type StorageDType = 'float32' | 'float16' | 'bfloat16' | 'float64';

const BYTES_PER_ELEMENT: Record<StorageDType, number> = { float32: 4, float16: 2, bfloat16: 2, float64: 8 };

/** Size in bytes of one element of `dtype`. */
export function bytesPerElement(dtype: StorageDType): number {
  return BYTES_PER_ELEMENT[dtype];
}

/** Decodes `count` little-endian elements of `dtype` starting at element `offset` into float32. */
export function decodeElements(
  bytes: Uint8Array,
  dtype: StorageDType,
  offset: number,
  count: number,
): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const size = BYTES_PER_ELEMENT[dtype];
  for (let i = 0; i < count; i++) {
    const at = (offset + i) * size;
    switch (dtype) {
      case 'float32':
        out[i] = view.getFloat32(at, true);
        break;
      case 'float64':
        out[i] = view.getFloat64(at, true);
        break;
      case 'float16':
        out[i] = halfToFloat(view.getUint16(at, true));
        break;
      case 'bfloat16':
        out[i] = bfloat16ToFloat(view.getUint16(at, true));
        break;
    }
  }
  return out;
}

const conversion = new DataView(new ArrayBuffer(4));

function bfloat16ToFloat(bits: number): number {
  conversion.setUint32(0, bits << 16);
  return conversion.getFloat32(0);
}

/** IEEE 754 binary16 bits → number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** number → IEEE 754 binary16 bits, rounding to nearest even. */
export function floatToHalf(value: number): number {
  conversion.setFloat32(0, value);
  const x = conversion.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let rounded = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && rounded & 1)) rounded++;
    return sign | rounded;
  }
  let rounded = (e << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && rounded & 1)) rounded++;
  return sign | rounded;
}
