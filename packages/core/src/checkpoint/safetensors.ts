import { SwinupError } from '../errors.js';
import type { CheckpointTensors } from './pth.js';
import { decodeElements, elementCount, type StorageDType, type WeightTensor } from './tensor.js';

const FLOAT_DTYPES: Record<string, StorageDType> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
};
const MAX_HEADER = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Reads a `.safetensors` file: a JSON header followed by raw little-endian tensor data. */
export function readSafetensors(bytes: Uint8Array): CheckpointTensors {
  const fail = (what: string): never => {
    throw new SwinupError('CHECKPOINT_FORMAT', `not a valid .safetensors file: ${what}`);
  };
  if (bytes.byteLength < 8) fail('shorter than its 8-byte header length');
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.byteLength) fail('header length is out of range');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    return fail('header is not JSON');
  }
  const data = bytes.subarray(8 + headerLength);
  const weights = new Map<string, WeightTensor>();
  const otherTensors: string[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = raw as HeaderEntry;
    if (!Array.isArray(entry?.shape) || !Array.isArray(entry.data_offsets))
      fail(`entry ${name} lacks shape/offsets`);
    const dtype = FLOAT_DTYPES[entry.dtype];
    if (dtype === undefined) {
      otherTensors.push(name);
      continue;
    }
    const [begin, end] = entry.data_offsets;
    const count = elementCount(entry.shape);
    const size = dtype === 'float64' ? 8 : dtype === 'float32' ? 4 : 2;
    if (begin < 0 || end > data.byteLength || end - begin !== count * size)
      fail(`entry ${name} has bad offsets`);
    weights.set(name, {
      shape: entry.shape,
      data: decodeElements(data.subarray(begin, end), dtype, 0, count),
    });
  }
  return { weights, otherTensors, stateDictKey: null };
}
