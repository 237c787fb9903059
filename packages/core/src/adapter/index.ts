/**
 * `@swinup/core/adapter`: what build plugins and servers share — the per-image settings, their validation and
 * merge, the option lists and limits for schemas, and a pool of upscalers. Importing it does not load ONNX
 * Runtime; the pool loads the upscaler on first use.
 * @packageDocumentation
 */

export type { SwinupErrorCode } from '../errors.js';
export { SwinupError } from '../errors.js';
export type { Logger } from '../logger.js';
export { silentLogger } from '../logger.js';
export type {
  AlphaMode,
  ModelDownloadProgress,
  OutputFormat,
  Progress,
  Task,
  UpscaleOptions,
  UpscalerOptions,
} from '../options.js';
export { ALPHA_MODES, OUTPUT_FORMATS, TASKS, UPSCALER_LIMITS } from '../options.js';
export type { PrecisionChoice } from '../runtime/device-profile.js';
export { PRECISIONS } from '../runtime/device-profile.js';
export type { Device } from '../runtime/execution-provider.js';
export { DEVICES } from '../runtime/execution-provider.js';
export type { UpscaleResult, Upscaler, UpscalerStats } from '../upscaler/upscaler-types.js';
export type { SettingsCheck, UpscaleSettings } from './upscale-settings.js';
export {
  checkUpscaleSettings,
  mergeSettings,
  SETTING_FORMATS,
  SETTING_KEYS,
  SETTING_LIMITS,
  toUpscaleOptions,
} from './upscale-settings.js';
export type { PoolUpscaleCall, PoolUpscalerOptions, UpscalerPoolSettings } from './upscaler-pool.js';
export { UpscalerPool } from './upscaler-pool.js';
