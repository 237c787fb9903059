import { SwinupError } from '../errors.js';

/**
 * A restricted unpickler for PyTorch checkpoints. It understands the binary pickle opcodes
 * `torch.save` writes and resolves globals only through an allowlist; no other code or class
 * named by the file is ever looked up or called, so a hostile pickle cannot run anything.
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

type GlobalKind = 'ordered-dict' | 'rebuild-tensor' | 'rebuild-parameter' | 'storage-type';

/** A global the allowlist let through; only these can be called by REDUCE. */
export interface AllowedGlobal {
  readonly kind: 'global';
  readonly name: string;
  readonly role: GlobalKind;
  readonly dtype?: TorchDType;
}

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
function allowGlobal(module: string, name: string): AllowedGlobal {
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

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

/** Parses a checkpoint pickle, resolving persistent ids to storage references. */
export function unpickle(bytes: Uint8Array): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;

  const fail = (what: string): never => {
    throw new SwinupError('CHECKPOINT_FORMAT', `checkpoint pickle is malformed at byte ${pos}: ${what}`);
  };
  const need = (n: number): number => {
    if (pos + n > bytes.length) fail('unexpected end of data');
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => view.getUint8(need(1));
  const u16 = () => view.getUint16(need(2), true);
  const u32 = () => view.getUint32(need(4), true);
  const text = (n: number) => decoder.decode(bytes.subarray(need(n), pos));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated line');
    const value = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return value;
  };
  const pop = (): PickleValue => {
    const value = stack.pop();
    if (value === undefined || value === MARK) return fail('stack underflow');
    return value;
  };
  const top = (): PickleValue => {
    const value = stack[stack.length - 1];
    if (value === undefined || value === MARK) return fail('stack underflow');
    return value;
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('missing mark');
    const items = stack.splice(at) as PickleValue[];
    items.shift();
    return items;
  };
  const memoGet = (key: number) =>
    memo.has(key) ? (memo.get(key) as PickleValue) : fail(`memo key ${key} unset`);
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    if (!(target instanceof PickleDict)) fail('SETITEM on a non-dict');
    const dict = target as PickleDict;
    for (let i = 0; i + 1 < items.length; i += 2)
      dict.entries.set(asKey(items[i] as PickleValue), items[i + 1] as PickleValue);
  };
  const asKey = (value: PickleValue): PickleKey =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null
      ? value
      : fail('unsupported dict key type');

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x7d: // EMPTY_DICT
        stack.push(new PickleDict());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PickleTuple([]));
        break;
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x74: // TUPLE
        stack.push(new PickleTuple(popMark()));
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        const items: PickleValue[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        stack.push(new PickleTuple(items));
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const dict = new PickleDict();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(bytes.slice(need(u8()), pos));
        break;
      case 0x42: // BINBYTES
        stack.push(bytes.slice(need(u32()), pos));
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: {
        // LONG1
        const n = u8();
        const at = need(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i] as number);
        if (n > 0 && (bytes[at + n - 1] as number) & 0x80) value -= 1n << BigInt(8 * n);
        stack.push(Number.isSafeInteger(Number(value)) ? Number(value) : value);
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(allowGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(allowGlobal(module as string, name as string));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistentLoad(pop(), fail));
        break;
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args, fail));
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        const list = top();
        if (!Array.isArray(list)) fail('APPEND on a non-list');
        (list as PickleValue[]).push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS on a non-list');
        (list as PickleValue[]).push(...items);
        break;
      }
      case 0x62: {
        // BUILD: torch sets `_metadata` on state dicts; object state is otherwise not needed
        pop();
        if (!(top() instanceof PickleDict)) fail('BUILD on an object that is not a dict');
        break;
      }
      case 0x30: // POP
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

function persistentLoad(pid: PickleValue, fail: (what: string) => never): StorageRef {
  if (!(pid instanceof PickleTuple)) return fail('persistent id is not a tuple');
  const [tag, type, key] = pid.items;
  if (tag !== 'storage') return fail(`unknown persistent id ${String(tag)}`);
  if (!isGlobal(type, 'storage-type') || type.dtype === undefined)
    return fail('persistent id without a storage type');
  if (typeof key !== 'string') return fail('storage key is not a string');
  return { kind: 'storage', key, dtype: type.dtype };
}

function isGlobal(value: PickleValue | undefined, role: GlobalKind): value is AllowedGlobal {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    value.kind === 'global' &&
    value.role === role
  );
}

function intTuple(value: PickleValue | undefined, fail: (what: string) => never): number[] {
  if (!(value instanceof PickleTuple) || !value.items.every((v) => typeof v === 'number')) {
    return fail('tensor size/stride is not a tuple of integers');
  }
  return value.items as number[];
}

function reduce(callable: PickleValue, args: PickleValue, fail: (what: string) => never): PickleValue {
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

/** True when `value` is a tensor reference produced by the unpickler. */
export function isTensor(value: PickleValue | undefined): value is TensorRef {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'tensor';
}

function isStorage(value: PickleValue | undefined): value is StorageRef {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'storage';
}
