/**
 * The values the restricted unpickler produces: Python containers, tensor and storage references, and
 * the globals its allowlist lets through. Nothing here runs code; these are plain data.
 */

/** A Python dict (or OrderedDict) from the pickle, with insertion order kept. */
export class PickleDict {
  /** Entries in insertion order. */
  readonly entries = new Map<PickleKey, PickleValue>();
}

/** Keys a state dict pickle uses. */
export type PickleKey = string | number | boolean | null;

/** Element types of the torch storages an allowed checkpoint may hold. */
export type TorchDType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** A reference to one storage record of a zip checkpoint (`data/<key>`). */
export interface StorageRef {
  readonly kind: 'storage';
  readonly key: string;
  readonly dtype: TorchDType;
}

/** A tensor as the pickle describes it: a strided view of a storage. */
export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: number[];
  readonly stride: number[];
}

/** Values an allowed checkpoint pickle can produce. */
export type PickleValue =
  | PickleKey
  | bigint
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | TensorRef
  | StorageRef
  | AllowedGlobal;

/** A Python tuple (kept apart from lists because persistent ids and tensor arguments are tuples). */
export class PickleTuple {
  constructor(readonly items: PickleValue[]) {}
}

/** What an allowed global does when REDUCE calls it (or, for storage types, names a dtype). */
export type GlobalKind = 'ordered-dict' | 'rebuild-tensor' | 'rebuild-parameter' | 'storage-type';

/** A global the allowlist let through; only these can be called by REDUCE. */
export interface AllowedGlobal {
  readonly kind: 'global';
  readonly name: string;
  readonly role: GlobalKind;
  readonly dtype?: TorchDType;
}

/** True when `value` is an allowed global with the given role. */
export function isGlobal(value: PickleValue | undefined, role: GlobalKind): value is AllowedGlobal {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    value.kind === 'global' &&
    value.role === role
  );
}

/** True when `value` is a tensor reference produced by the unpickler. */
export function isTensor(value: PickleValue | undefined): value is TensorRef {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'tensor';
}

/** True when `value` is a storage reference produced by the unpickler. */
export function isStorage(value: PickleValue | undefined): value is StorageRef {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'storage';
}
