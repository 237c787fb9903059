import type {
  OnnxAttribute,
  OnnxDataType,
  OnnxGraph,
  OnnxNode,
  OnnxTensor,
  OnnxValueInfo,
} from './onnx-model.js';

/** Attribute values as the builder accepts them: integers, `float()` for floats, integer arrays, strings. */
export type AttributeInput = number | readonly number[] | string | { readonly float: number };

/** Domain of ONNX Runtime's fused (contrib) operators. */
export const CONTRIB_DOMAIN = 'com.microsoft';

/** How a node is added: its operator domain and which of its outputs are used. */
export interface NodeOptions {
  /** Operator domain (default: standard ONNX). */
  readonly domain?: string;
  /** One flag per output; unused outputs get the empty name, so the kernel may skip computing them. */
  readonly outputs?: readonly boolean[];
}

/** Marks a number as a float attribute (plain numbers are written as ints). */
export function float(value: number): { readonly float: number } {
  return { float: value };
}

function toAttribute(value: AttributeInput): OnnxAttribute {
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'number') return { kind: 'int', value };
  if ('float' in value) return { kind: 'float', value: value.float };
  return { kind: 'ints', value };
}

/**
 * Accumulates nodes and constants for one graph. Constants with the same type, shape and bytes are
 * stored once, so tensors shared by many layers (indices, masks, scalars) cost nothing extra.
 */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly byContent = new Map<string, OnnxTensor[]>();
  private readonly usedNames = new Set<string>();
  private counter = 0;

  private uniqueName(hint: string): string {
    let name = hint;
    while (this.usedNames.has(name)) name = `${hint}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  /** Adds a constant (or returns the existing one with identical content) and gives its name. */
  constant(hint: string, dataType: OnnxDataType, dims: readonly number[], raw: Uint8Array): string {
    const key = `${dataType}|${dims.join('x')}|${contentHash(raw)}`;
    const same = this.byContent.get(key) ?? [];
    const existing = same.find((t) => equalBytes(t.raw, raw));
    if (existing !== undefined) return existing.name;
    const tensor: OnnxTensor = { name: this.uniqueName(hint), dataType, dims: [...dims], raw };
    same.push(tensor);
    this.byContent.set(key, same);
    this.initializers.push(tensor);
    return tensor.name;
  }

  /** A float32 constant. */
  floats(hint: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    return this.constant(hint, 'float32', dims, littleEndianBytes(data));
  }

  /** An int64 constant. */
  int64s(hint: string, dims: readonly number[], values: readonly number[] | Int32Array): string {
    const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
    return this.constant(hint, 'int64', dims, littleEndianBytes(data));
  }

  /** Appends a node and returns its output names (empty for unused outputs). */
  add(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeInput> = {},
    options: NodeOptions = {},
  ): string[] {
    const name = this.uniqueName(`${opType}_${this.nodes.length}`);
    const outs = (options.outputs ?? [true]).map((used, i) =>
      used ? this.uniqueName(`${name}_out${i}`) : '',
    );
    const attrs: Record<string, OnnxAttribute> = {};
    for (const [key, value] of Object.entries(attributes)) attrs[key] = toAttribute(value);
    const node: OnnxNode = { opType, name, inputs: [...inputs], outputs: outs, attributes: attrs };
    this.nodes.push(options.domain === undefined ? node : { ...node, domain: options.domain });
    return outs;
  }

  /** Appends a single-output node and returns that output's name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeInput> = {}): string {
    return this.add(opType, inputs, attributes)[0] as string;
  }

  /** Appends a single-output ONNX Runtime contrib (`com.microsoft`) node and returns that output's name. */
  contrib(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeInput> = {},
  ): string {
    return this.add(opType, inputs, attributes, { domain: CONTRIB_DOMAIN })[0] as string;
  }

  /** Renames the value `from` (a node output) to the graph output name `to`. */
  rename(from: string, to: string): void {
    const index = this.nodes.findIndex((n) => n.outputs.includes(from));
    const node = this.nodes[index] as OnnxNode;
    this.nodes[index] = { ...node, outputs: node.outputs.map((o) => (o === from ? to : o)) };
    this.usedNames.add(to);
  }

  /** Finishes the graph. */
  build(name: string, inputs: OnnxValueInfo[], outputs: OnnxValueInfo[]): OnnxGraph {
    return { name, nodes: [...this.nodes], initializers: [...this.initializers], inputs, outputs };
  }
}

function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  // Typed arrays are little-endian on every platform Node supports.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function contentHash(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  const step = Math.max(1, Math.floor(bytes.length / 4096));
  for (let i = 0; i < bytes.length; i += step) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return (hash ^ bytes.length) >>> 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
