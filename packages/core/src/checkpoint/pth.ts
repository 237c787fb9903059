import { unzipSync } from 'fflate';
import { SwinupError } from '../errors.js';
import { unpickle } from './pickle.js';
import { isTensor, PickleDict, type PickleValue, type TensorRef, type TorchDType } from './pickle-values.js';
import { decodeElements, elementCount, type StorageDType, type WeightTensor } from './tensor.js';

const FLOAT_DTYPES: ReadonlySet<TorchDType> = new Set(['float32', 'float16', 'bfloat16', 'float64']);
const BYTES: Record<TorchDType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** The tensors found in a checkpoint, split into float weights and other (integer/bool buffers). */
export interface CheckpointTensors {
  /** Float tensors, decoded to float32. */
  readonly weights: Map<string, WeightTensor>;
  /** Names of non-float tensors (e.g. `relative_position_index` buffers), which are never needed. */
  readonly otherTensors: string[];
  /** The key of the wrapper dict the state dict came from (`params`, `params_ema`, …), or null for a bare one. */
  readonly stateDictKey: string | null;
}

/** Keys under which SwinIR/BasicSR checkpoints keep their state dict, in order of preference. */
export const STATE_DICT_KEYS = ['params_ema', 'params', 'state_dict', 'model'] as const;

/**
 * Most uncompressed bytes a zip of `size` bytes may declare: `torch.save` stores entries uncompressed, so a
 * real checkpoint declares about its own size, while a zip bomb declares far more.
 */
export function inflateLimit(size: number): number {
  return 4 * size + 16 * 1024 * 1024;
}

/** Reads a PyTorch zip checkpoint (`torch.save` since 1.6) without running anything from it. */
export function readPth(bytes: Uint8Array, stateDictKey?: string): CheckpointTensors {
  let files: Record<string, Uint8Array>;
  const limit = inflateLimit(bytes.byteLength);
  let declared = 0;
  try {
    // Declared sizes are checked before anything inflates; fflate inflates into buffers of those sizes.
    files = unzipSync(bytes, {
      filter: (entry) => {
        declared += entry.originalSize;
        if (declared > limit) {
          throw new SwinupError(
            'CHECKPOINT_FORMAT',
            `zip entry ${entry.name} brings the declared uncompressed size to ${declared} bytes, more than ` +
              `${limit} for a ${bytes.byteLength}-byte file: a decompression bomb, not a checkpoint`,
          );
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof SwinupError) throw error;
    throw new SwinupError(
      'CHECKPOINT_FORMAT',
      `not a readable PyTorch zip checkpoint (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  const pickleName = Object.keys(files).find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickleName === undefined) {
    throw new SwinupError(
      'CHECKPOINT_FORMAT',
      'zip file has no <archive>/data.pkl: not a PyTorch checkpoint',
    );
  }
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const root = unpickle(files[pickleName] as Uint8Array);
  const { dict, key } = selectStateDict(root, stateDictKey);
  const weights = new Map<string, WeightTensor>();
  const otherTensors: string[] = [];
  for (const [name, value] of dict.entries) {
    if (typeof name !== 'string' || !isTensor(value)) continue;
    if (!FLOAT_DTYPES.has(value.storage.dtype)) {
      otherTensors.push(name);
      continue;
    }
    const storage = files[`${prefix}data/${value.storage.key}`];
    if (storage === undefined) {
      throw new SwinupError('CHECKPOINT_FORMAT', `tensor ${name} points to a storage record that is missing`);
    }
    weights.set(name, materialise(name, value, storage));
  }
  return { weights, otherTensors, stateDictKey: key };
}

function selectStateDict(
  root: PickleValue,
  wanted: string | undefined,
): { dict: PickleDict; key: string | null } {
  if (!(root instanceof PickleDict)) {
    throw new SwinupError('CHECKPOINT_FORMAT', 'checkpoint does not hold a dict of tensors');
  }
  const candidates = wanted === undefined ? STATE_DICT_KEYS : [wanted];
  for (const key of candidates) {
    const inner = root.entries.get(key);
    if (inner instanceof PickleDict) return { dict: inner, key };
  }
  if (wanted !== undefined) {
    const keys = [...root.entries.keys()].map(String).join(', ');
    throw new SwinupError(
      'CHECKPOINT_FORMAT',
      `checkpoint has no state dict under "${wanted}" (top-level keys: ${keys})`,
    );
  }
  const hasTensors = [...root.entries.values()].some((v) => isTensor(v));
  if (!hasTensors) {
    const keys = [...root.entries.keys()].map(String).join(', ');
    throw new SwinupError(
      'CHECKPOINT_FORMAT',
      `checkpoint holds no tensors and none of ${STATE_DICT_KEYS.join('/')} (top-level keys: ${keys})`,
    );
  }
  return { dict: root, key: null };
}

function materialise(name: string, ref: TensorRef, storage: Uint8Array): WeightTensor {
  const dtype = ref.storage.dtype as StorageDType;
  const count = elementCount(ref.shape);
  const capacity = storage.byteLength / BYTES[dtype];
  let extent = ref.offset + 1;
  for (let d = 0; d < ref.shape.length; d++)
    extent += ((ref.shape[d] as number) - 1) * (ref.stride[d] as number);
  if (count > 0 && extent > capacity) {
    throw new SwinupError('CHECKPOINT_FORMAT', `tensor ${name} reaches past the end of its storage`);
  }
  if (isContiguous(ref.shape, ref.stride)) {
    return { shape: ref.shape, data: decodeElements(storage, dtype, ref.offset, count) };
  }
  const flat = decodeElements(storage, dtype, 0, capacity);
  const data = new Float32Array(count);
  const index = new Array<number>(ref.shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let at = ref.offset;
    for (let d = 0; d < index.length; d++) at += (index[d] as number) * (ref.stride[d] as number);
    data[i] = flat[at] as number;
    for (let d = index.length - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (ref.shape[d] as number)) break;
      index[d] = 0;
    }
  }
  return { shape: ref.shape, data };
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if ((shape[d] as number) !== 1 && stride[d] !== expected) return false;
    expected *= shape[d] as number;
  }
  return true;
}
