/**
 * @swinup/core — SwinIR super-resolution on ONNX Runtime: checkpoint compiler, tiled pipeline, CLI.
 * @packageDocumentation
 */
export type { CheckpointTensors, ReadCheckpointOptions, StateDict, WeightTensor } from './checkpoint/index.js';
export { readCheckpoint } from './checkpoint/index.js';
export type { CompiledModel, CompileOptions } from './compiler.js';
export { compileCheckpoint, OPSET, parseShape } from './compiler.js';
export type { SwinupErrorCode } from './errors.js';
export { SwinupError } from './errors.js';
export type { ConfigHints, SwinIRConfig, Upsampler } from './graph/swinir-config.js';
export { inferConfig } from './graph/swinir-config.js';
export type { InputShape } from './graph/swinir-graph.js';
export type { Logger } from './logger.js';
export { CORE_VERSION } from './version.js';
