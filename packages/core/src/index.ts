/**
 * @swinup/core — SwinIR super-resolution on ONNX Runtime: checkpoint compiler, tiled pipeline, CLI.
 * @packageDocumentation
 */

export { ResultCache, resultCacheKey, stableJson } from './cache/result-cache.js';
export type {
  CheckpointTensors,
  ReadCheckpointOptions,
  StateDict,
  WeightTensor,
} from './checkpoint/index.js';
export { readCheckpoint } from './checkpoint/index.js';
export type { CompiledModel, CompileOptions } from './compiler.js';
export { compileCheckpoint, OPSET, parseShape } from './compiler.js';
export type { SwinupErrorCode } from './errors.js';
export { SwinupError } from './errors.js';
export type { ConfigHints, SwinIRConfig, Upsampler } from './graph/swinir-config.js';
export { inferConfig } from './graph/swinir-config.js';
export type { InputShape } from './graph/swinir-graph.js';
export type { ImageInput } from './io/image-codec.js';
export type { Logger, Logger as SwinupLogger } from './logger.js';
export { silentLogger } from './logger.js';
export { resolveCacheDir } from './models/cache-dir.js';
export type { Catalog, CatalogEntry } from './models/model-catalog.js';
export { loadCatalog } from './models/model-catalog.js';
export type { DownloadProgress } from './models/model-download.js';
export { importCheckpoint, listModels, pullModel, removeModel, verifyModel } from './models/model-install.js';
export type {
  AlphaMode,
  OutputFormat,
  Progress,
  ResolvedUpscaleOptions,
  ResolvedUpscalerOptions,
  Task,
  UpscaleOptions,
  UpscalerOptions,
} from './options.js';
export { resolveUpscaleOptions, resolveUpscalerOptions } from './options.js';
export { CORE_VERSION } from './package-info.js';
export type { DeviceProfile, PrecisionChoice } from './runtime/device-profile.js';
export { deviceProfile, PRECISIONS } from './runtime/device-profile.js';
export type { Device, ExecutionProviderName } from './runtime/execution-provider.js';
export type { UpscaleResult, Upscaler } from './upscaler/upscaler.js';
export { closeUpscalers, createUpscaler, upscale } from './upscaler/upscaler.js';
