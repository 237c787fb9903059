import { ProtobufWriter } from './protobuf-writer.js';

/** ONNX element types the emitter uses. */
export type OnnxDataType = 'float32' | 'float16' | 'int64' | 'int8' | 'bool';

const DATA_TYPE_CODES: Record<OnnxDataType, number> = { float32: 1, float16: 10, int64: 7, int8: 3, bool: 9 };

/** A constant tensor stored in the model (an initializer). */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  /** Little-endian element bytes. */
  readonly raw: Uint8Array;
}

/** A node attribute, tagged with its ONNX type. */
export type OnnxAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

/** One operator application. */
export interface OnnxNode {
  readonly opType: string;
  /** Operator set domain; omitted for the standard `ai.onnx` operators. */
  readonly domain?: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph input or output with its fixed shape. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly shape: readonly number[];
}

/** A whole ONNX graph in the small form the emitter builds. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** Model-level facts written into the file. */
export interface OnnxModelInfo {
  readonly opset: number;
  readonly producerVersion: string;
  /** Free-form key/value metadata (ONNX `metadata_props`). */
  readonly metadata: Readonly<Record<string, string>>;
}

// Field numbers from onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, …).
const IR_VERSION = 8;
/** Version of ONNX Runtime's `com.microsoft` contrib operator set. */
const CONTRIB_OPSET = 1;
const ATTRIBUTE_TYPES = { float: 1, int: 2, string: 3, ints: 7 } as const;

/** Serialises a graph to ONNX ModelProto bytes. */
export function serializeModel(graph: OnnxGraph, info: OnnxModelInfo): Uint8Array {
  const model = new ProtobufWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'swinup');
  model.string(3, info.producerVersion);
  model.message(7, (g) => writeGraph(g, graph));
  model.message(8, (opset) => opset.string(1, '').int(2, info.opset));
  const domains = new Set(graph.nodes.flatMap((n) => (n.domain === undefined ? [] : [n.domain])));
  for (const domain of domains) model.message(8, (opset) => opset.string(1, domain).int(2, CONTRIB_OPSET));
  for (const [key, value] of Object.entries(info.metadata)) {
    model.message(14, (entry) => entry.string(1, key).string(2, value));
  }
  return model.finish();
}

function writeGraph(w: ProtobufWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) w.message(1, (n) => writeNode(n, node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, (t) => writeTensor(t, tensor));
  for (const input of graph.inputs) w.message(11, (v) => writeValueInfo(v, input));
  for (const output of graph.outputs) w.message(12, (v) => writeValueInfo(v, output));
}

function writeNode(w: ProtobufWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  if (node.domain !== undefined) w.string(7, node.domain);
  for (const [name, attribute] of Object.entries(node.attributes)) {
    w.message(5, (a) => {
      a.string(1, name);
      switch (attribute.kind) {
        case 'float':
          a.float(2, attribute.value);
          break;
        case 'int':
          a.int(3, attribute.value);
          break;
        case 'string':
          a.string(4, attribute.value);
          break;
        case 'ints':
          for (const v of attribute.value) a.int(8, v);
          break;
      }
      a.int(20, ATTRIBUTE_TYPES[attribute.kind]);
    });
  }
}

function writeTensor(w: ProtobufWriter, tensor: OnnxTensor): void {
  for (const d of tensor.dims) w.int(1, d);
  w.int(2, DATA_TYPE_CODES[tensor.dataType]);
  w.string(8, tensor.name);
  w.bytes(9, tensor.raw);
}

function writeValueInfo(w: ProtobufWriter, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, DATA_TYPE_CODES[info.dataType]);
      tensorType.message(2, (shape) => {
        for (const d of info.shape) shape.message(1, (dim) => dim.int(1, d));
      });
    }),
  );
}
