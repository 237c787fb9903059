/**
 * The only Python globals a checkpoint pickle may name, and what calling them builds: an OrderedDict,
 * a tensor over a storage, a parameter's tensor. Every other global is refused by name before anything
 * from the file could run.
 */
import { SwinupError } from '../errors.js';
import {
  type AllowedGlobal,
  isGlobal,
  isStorage,
  isTensor,
  PickleDict,
  PickleTuple,
  type PickleValue,
  type StorageRef,
  type TorchDType,
} from './pickle-values.js';

/** Reports malformed pickle data at the interpreter's current position; never returns. */
export type PickleFailure = (what: string) => never;

const STORAGE_TYPES: Record<string, TorchDType> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** Every global a tensor checkpoint needs; anything else is refused by name. */
export function allowGlobal(module: string, name: string): AllowedGlobal {
  const full = `${module}.${name}`;
  if (full === 'collections.OrderedDict') return { kind: 'global', name: full, role: 'ordered-dict' };
  if (full === 'torch._utils._rebuild_tensor_v2')
    return { kind: 'global', name: full, role: 'rebuild-tensor' };
  if (full === 'torch._utils._rebuild_parameter')
    return { kind: 'global', name: full, role: 'rebuild-parameter' };
  const dtype = module === 'torch' ? STORAGE_TYPES[name] : undefined;
  if (dtype !== undefined) return { kind: 'global', name: full, role: 'storage-type', dtype };
  throw new SwinupError(
    'CHECKPOINT_UNSAFE',
    `checkpoint refers to the Python global "${full}", which a weights-only checkpoint never needs; ` +
      'refusing to load it (nothing from the file was run). Re-save the weights as a plain state dict or .safetensors.',
  );
}

/** Resolves a persistent id (`('storage', StorageType, key, …)`) to a reference to that storage record. */
export function persistentLoad(pid: PickleValue, fail: PickleFailure): StorageRef {
  if (!(pid instanceof PickleTuple)) return fail('persistent id is not a tuple');
  const [tag, type, key] = pid.items;
  if (tag !== 'storage') return fail(`unknown persistent id ${String(tag)}`);
  if (!isGlobal(type, 'storage-type') || type.dtype === undefined)
    return fail('persistent id without a storage type');
  if (typeof key !== 'string') return fail('storage key is not a string');
  return { kind: 'storage', key, dtype: type.dtype };
}

/** REDUCE: calls an allowed global with its argument tuple; nothing else can be called. */
export function reduce(callable: PickleValue, args: PickleValue, fail: PickleFailure): PickleValue {
  if (!(args instanceof PickleTuple)) return fail('REDUCE arguments are not a tuple');
  if (isGlobal(callable, 'ordered-dict')) return new PickleDict();
  if (isGlobal(callable, 'rebuild-parameter')) {
    const data = args.items[0];
    if (!isTensor(data)) return fail('_rebuild_parameter without a tensor');
    return data;
  }
  if (isGlobal(callable, 'rebuild-tensor')) {
    const [storage, offset, size, stride] = args.items;
    if (!isStorage(storage)) return fail('_rebuild_tensor_v2 without a storage');
    if (typeof offset !== 'number') return fail('tensor storage offset is not an integer');
    return { kind: 'tensor', storage, offset, shape: intTuple(size, fail), stride: intTuple(stride, fail) };
  }
  return fail('REDUCE on a value that cannot be called');
}

function intTuple(value: PickleValue | undefined, fail: PickleFailure): number[] {
  if (!(value instanceof PickleTuple) || !value.items.every((v) => typeof v === 'number')) {
    return fail('tensor size/stride is not a tuple of integers');
  }
  return value.items as number[];
}
