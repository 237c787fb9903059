/**
 * `@swinup/core/compiler`: the checkpoint reader and the SwinIR → ONNX compiler, for tools that want the
 * graph itself (the `swinup compile` command is built on it).
 * @packageDocumentation
 */

export type {
  CheckpointTensors,
  ReadCheckpointOptions,
  StateDict,
  WeightTensor,
} from './checkpoint/index.js';
export { readCheckpoint } from './checkpoint/index.js';
export type { CompiledModel, CompileOptions } from './compiler.js';
export { compileCheckpoint, OPSET, parseShape } from './compiler.js';
export type { ConfigHints, SwinIRConfig, Upsampler } from './graph/swinir-config.js';
export { inferConfig } from './graph/swinir-config.js';
export type { InputShape } from './graph/swinir-graph.js';
