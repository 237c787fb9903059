import { readCheckpoint, type WeightTensor } from './checkpoint/index.js';
import { SwinupError } from './errors.js';
import { serializeModel } from './graph/onnx-model.js';
import { type InferredConfig, inferConfig, type SwinIRConfig } from './graph/swinir-config.js';
import { buildSwinIRGraph, type InputShape, type Precision } from './graph/swinir-graph.js';

/** ONNX opset the emitter targets (LayerNormalization needs 17). */
export const OPSET = 17;

/** Version of the emitted graph's form; part of compiled-model cache keys so a new emitter never reuses old graphs. */
export const GRAPH_FORMAT = 'g3';

/** What reading a checkpoint may be told beyond its bytes. */
export interface CheckpointHints {
  /** Pixel range the model was trained with (1, or 255 for the JPEG models); inferred from the task if omitted. */
  imgRange?: number;
  /** Wrapper key of the state dict (`params`, `params_ema`); by default the first one present. */
  stateDictKey?: string;
}

/** What {@link inspectCheckpoint} learnt about a checkpoint. */
export interface CheckpointInspection extends InferredConfig {
  /** The state dict wrapper key used, or null for a bare state dict. */
  readonly stateDictKey: string | null;
}

/** Options of {@link compileCheckpoint}. */
export interface CompileOptions extends CheckpointHints {
  /** Fixed input shape N×C×H×W; H and W must be multiples of the model's window size. */
  shape: InputShape;
  /** Store weights as float16 for GPU use. */
  float16Weights?: boolean;
  /** Emit ONNX Runtime's fused operators (default true); false gives the plain standard-ONNX graph. */
  fused?: boolean;
  /** Linear-layer precision (default fp32); `int8` costs quality, see BENCHMARKS.md. */
  precision?: Precision;
  /** Windows per attention chunk of the plain graph (see `DEFAULT_ATTENTION_CHUNK`). */
  attentionChunk?: number;
  /** Version string written as the ONNX producer version. */
  producerVersion?: string;
}

/** The result of compiling a checkpoint. */
export interface CompiledModel {
  /** ONNX ModelProto bytes. */
  readonly onnx: Uint8Array;
  /** The architecture inferred from the checkpoint. */
  readonly config: SwinIRConfig;
  /** Whether `img_range` came from the caller or from the task default. */
  readonly imgRangeSource: 'hint' | 'default';
  /** The state dict wrapper key used, or null for a bare state dict. */
  readonly stateDictKey: string | null;
}

/** Parses "1x3x64x64" (or "1×3×64×64") into an input shape. */
export function parseShape(text: string): InputShape {
  const parts = text.split(/[x×,]/).map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p <= 0)) {
    throw new SwinupError(
      'INVALID_SHAPE',
      `shape "${text}" is not N x C x H x W with positive integers (e.g. 1x3x64x64)`,
    );
  }
  return parts as unknown as InputShape;
}

/** Reads a checkpoint and infers its architecture, keeping the weights for the graph. */
function readSwinIR(
  bytes: Uint8Array,
  hints: CheckpointHints,
): CheckpointInspection & { readonly weights: ReadonlyMap<string, WeightTensor> } {
  const tensors = readCheckpoint(
    bytes,
    hints.stateDictKey === undefined ? {} : { stateDictKey: hints.stateDictKey },
  );
  const { config, imgRangeSource } = inferConfig(
    tensors.weights,
    tensors.otherTensors,
    hints.imgRange === undefined ? {} : { imgRange: hints.imgRange },
  );
  return { config, imgRangeSource, stateDictKey: tensors.stateDictKey, weights: tensors.weights };
}

/**
 * Checks that checkpoint bytes are a SwinIR model swinup can run: reads them, infers the architecture
 * and builds (then drops) the graph for the smallest input, so it fails wherever compiling would.
 */
export function inspectCheckpoint(bytes: Uint8Array, hints: CheckpointHints = {}): CheckpointInspection {
  const { weights, ...inspection } = readSwinIR(bytes, hints);
  const { config } = inspection;
  const side = config.window_size;
  buildSwinIRGraph(config, weights, [1, config.in_chans, side, side]);
  return inspection;
}

/** Reads SwinIR checkpoint bytes (.pth or .safetensors) and emits an ONNX model for one input shape. */
export function compileCheckpoint(bytes: Uint8Array, options: CompileOptions): CompiledModel {
  const { config, imgRangeSource, stateDictKey, weights } = readSwinIR(bytes, options);
  const graph = buildSwinIRGraph(config, weights, options.shape, {
    float16Weights: options.float16Weights ?? false,
    fused: options.fused ?? true,
    precision: options.precision ?? 'fp32',
    ...(options.attentionChunk === undefined ? {} : { attentionChunk: options.attentionChunk }),
  });
  const onnx = serializeModel(graph, {
    opset: OPSET,
    producerVersion: options.producerVersion ?? '0',
    metadata: { 'swinup.config': JSON.stringify(config) },
  });
  return { onnx, config, imgRangeSource, stateDictKey };
}
