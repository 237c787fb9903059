/**
 * @swinup/core — SwinIR super-resolution on ONNX Runtime: upscalers, the model store and catalog, and the
 * `swinup` CLI. Build plugins use `@swinup/core/adapter`; the checkpoint compiler is `@swinup/core/compiler`.
 * @packageDocumentation
 */

export type { SwinupErrorCode } from './errors.js';
export { SwinupError } from './errors.js';
export type { ImageInput } from './io/image-codec.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { resolveCacheDir } from './models/cache-dir.js';
export type { ImportOptions, ImportResult } from './models/import-checkpoint.js';
export { importCheckpoint } from './models/import-checkpoint.js';
export type { ModelListing } from './models/list-models.js';
export { listModels } from './models/list-models.js';
export type { Catalog, CatalogEntry, CatalogLocation } from './models/model-catalog.js';
export { loadCatalog } from './models/model-catalog.js';
export type { DownloadProgress } from './models/model-download.js';
export type { ModelStoreOptions } from './models/model-store-options.js';
export type { PullOptions, PullResult } from './models/pull-model.js';
export { pullModel } from './models/pull-model.js';
export { removeModel } from './models/remove-model.js';
export type { VerifyMethod } from './models/verify-method.js';
export type { VerifyResult } from './models/verify-model.js';
export { verifyModel } from './models/verify-model.js';
export type {
  AlphaMode,
  ModelDownloadProgress,
  OutputFormat,
  Progress,
  Task,
  UpscaleOptions,
  UpscalerOptions,
} from './options.js';
export { ALPHA_MODES, OUTPUT_FORMATS, TASKS, UPSCALER_LIMITS } from './options.js';
export { CORE_VERSION } from './package-info.js';
export type { PrecisionChoice } from './runtime/device-profile.js';
export { PRECISIONS } from './runtime/device-profile.js';
export type { Device, ExecutionProviderName } from './runtime/execution-provider.js';
export { DEVICES } from './runtime/execution-provider.js';
export type { UpscaleResult, Upscaler, UpscalerStats } from './upscaler/upscaler.js';
export { closeUpscalers, createUpscaler, upscale } from './upscaler/upscaler.js';
