import { invalidOption } from './errors.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { DownloadProgress } from './models/model-download.js';
import { PRECISIONS, type PrecisionChoice } from './runtime/device-profile.js';
import { DEVICES, type Device } from './runtime/execution-provider.js';

/** Restoration tasks: super-resolution, denoising, JPEG artifact removal. */
export type Task = 'sr' | 'denoise' | 'jpeg';
/** Output formats swinup writes. */
export type OutputFormat = 'png' | 'jpeg' | 'webp' | 'avif' | 'tiff';
/** How the alpha channel is enlarged. */
export type AlphaMode = 'model' | 'lanczos';

/** Progress of one image: tiles done out of all tiles of all passes. */
export interface Progress {
  readonly tilesDone: number;
  readonly tilesTotal: number;
}

/** Progress of a named catalog model that `createUpscaler` downloads because it is not installed yet. */
export interface ModelDownloadProgress extends DownloadProgress {
  /** The model's catalog id. */
  readonly id: string;
  /** Where it downloads from. */
  readonly url: string;
}

/** Settings of an upscaler: which model, where it runs and how images are tiled. */
export interface UpscalerOptions {
  /**
   * Model id from the catalog, or a path to a `.pth`/`.safetensors`/`.onnx` file. A catalog model that is not
   * installed is downloaded and verified first (unless `offline`). Default: the best installed catalog model
   * of the task at the default model's scale (Set5 quality, then size), else the bundled default.
   */
  model?: string;
  /** Restoration task (default `sr`). */
  task?: Task;
  /** `auto` (CUDA, else CPU), `cuda` or `cpu`; the SWINUP_DEVICE environment variable overrides the default. */
  device?: Device;
  /** CPU threads for inference, in all (default: one per core; each runs its own tiles). */
  threads?: number;
  /**
   * Largest tile side in input pixels; 0 runs the whole image as one tile. The tile planner splits each
   * image into tiles no larger than this so the sessions finish together. Default: chosen per device
   * (192 on the CPU, 256 on a GPU).
   */
  tileSize?: number;
  /** Overlap between neighbouring tiles in input pixels, blended with a smooth window (default 8 CPU, 16 GPU). */
  tileOverlap?: number;
  /**
   * Precision of the linear layers: `fp32`, `int8` (dynamic quantisation), or `auto` (default): the device's
   * fastest option that loses at most 0.05 dB on Set5 (int8 on the CPU, fp32 on a GPU).
   */
  precision?: PrecisionChoice;
  /** Largest output, in pixels, accepted before any work starts (default 100 megapixels). */
  maxOutputPixels?: number;
  /**
   * Folder holding your own `catalog.json` (bundled entries' files are relative to it); default: the
   * SWINUP_MODELS_DIR environment variable, else the `@swinup/models` package installed with core.
   */
  modelsDir?: string;
  /** A catalog file to use instead of `modelsDir`'s; bundled entries' files are relative to its folder. */
  catalog?: string;
  /** Cache folder for models and compiled graphs (default: SWINUP_CACHE, else the platform cache folder). */
  cacheDir?: string;
  /** Folder of a persistent result cache: an image already upscaled with the same models and options is not run again. */
  resultCacheDir?: string;
  /**
   * Never download: naming a catalog model that is not installed fails with `MODEL_NOT_FOUND`. Default: the
   * SWINUP_OFFLINE environment variable (`1`/`true` on, `0`/`false` off), else false.
   */
  offline?: boolean;
  /** Receives the progress of a named model's download; without it, progress goes to `logger.info`. */
  onDownload?: (progress: ModelDownloadProgress) => void;
  /** Cancels creating the upscaler: a named model's download stops and its temporary file is removed. */
  signal?: AbortSignal;
  /** Receives warnings and progress notes; silent by default. */
  logger?: Logger;
}

/** Per-image settings. */
export interface UpscaleOptions {
  /** Enlargement factor (default: the model's own scale). */
  scale?: number;
  /** Exact output width; the height follows the aspect ratio unless `height` is also set. */
  width?: number;
  /** Exact output height. */
  height?: number;
  /** Output format (default: the input's, or PNG when the input's cannot be written). */
  format?: OutputFormat;
  /** Quality 1–100 for JPEG, WebP and AVIF. */
  quality?: number;
  /** Keep the input's ICC profile and EXIF (default true). */
  keepMetadata?: boolean;
  /** Enlarge alpha with the model (default) or with Lanczos. */
  alpha?: AlphaMode;
  /** Write even when the output file exists or equals the input. */
  overwrite?: boolean;
  /** Cancels the work; nothing is written. */
  signal?: AbortSignal;
  /** Called after every tile. */
  onProgress?: (progress: Progress) => void;
}

/** Upscaler settings after validation and defaults. */
export interface ResolvedUpscalerOptions {
  readonly model: string | undefined;
  readonly task: Task;
  readonly device: Device;
  readonly threads: number;
  /** Undefined: the device's default. */
  readonly tileSize: number | undefined;
  /** Undefined: the device's default. */
  readonly tileOverlap: number | undefined;
  readonly precision: PrecisionChoice;
  readonly maxOutputPixels: number;
  readonly modelsDir: string | undefined;
  readonly catalog: string | undefined;
  readonly cacheDir: string | undefined;
  readonly resultCacheDir: string | undefined;
  readonly offline: boolean;
  readonly onDownload: ((progress: ModelDownloadProgress) => void) | undefined;
  readonly signal: AbortSignal | undefined;
  readonly logger: Logger;
}

/** Per-image settings after validation and defaults. */
export interface ResolvedUpscaleOptions {
  readonly scale: number | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly format: OutputFormat | undefined;
  readonly quality: number | undefined;
  readonly keepMetadata: boolean;
  readonly alpha: AlphaMode;
  readonly overwrite: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: Progress) => void) | undefined;
}

/** Task names. */
export const TASKS: readonly Task[] = ['sr', 'denoise', 'jpeg'];
/** Output format names. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp', 'avif', 'tiff'];
/** Alpha modes. */
export const ALPHA_MODES: readonly AlphaMode[] = ['model', 'lanczos'];

/** Integer ranges of the numeric upscaler options, inclusive (for adapters that build schemas from them). */
export const UPSCALER_LIMITS = {
  threads: { min: 0, max: 1024 },
  tileSize: { min: 0, max: 4096 },
  tileOverlap: { min: 0, max: 512 },
  maxOutputPixels: { min: 1, max: Number.MAX_SAFE_INTEGER },
} as const;

const DEFAULT_MAX_OUTPUT_PIXELS = 100_000_000;

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw invalidOption(option, value, `one of ${allowed.join(', ')}`);
  return value as T;
}

function integer(
  option: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(option, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

function boolean(option: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidOption(option, value, 'true or false');
  return value;
}

function folder(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalidOption(option, value, 'a folder path');
  return value;
}

function file(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalidOption(option, value, 'a file path');
  return value;
}

/** A callback option: a function or nothing. */
function callback<T>(option: string, value: unknown): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalidOption(option, value, 'a function');
  return value as T | undefined;
}

/** An abort signal option: an `AbortSignal` or nothing. */
function abortSignal(value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal))
    throw invalidOption('signal', value, 'an AbortSignal');
  return value;
}

/** An on/off environment variable; empty or unset is undefined (the default). */
function envSwitch(name: string, value: string | undefined): boolean | undefined {
  const normalised = value?.trim().toLowerCase();
  if (normalised === undefined || normalised === '') return undefined;
  if (normalised === '1' || normalised === 'true') return true;
  if (normalised === '0' || normalised === 'false') return false;
  throw invalidOption(name, value, '1 (or true) to turn it on, 0 (or false) to turn it off');
}

/** A logger must have every method the library calls (checked now, not at the first message mid-upscale). */
function logger(value: unknown): Logger | undefined {
  if (value === undefined) return undefined;
  const methods = (typeof value === 'object' ? value : null) as Partial<Record<keyof Logger, unknown>> | null;
  if (methods === null || (['debug', 'info', 'warn'] as const).some((m) => typeof methods[m] !== 'function'))
    throw invalidOption('logger', value, 'an object with debug, info and warn methods');
  return value as Logger;
}

/**
 * Validates upscaler options and fills in defaults; `env` supplies SWINUP_DEVICE and SWINUP_OFFLINE (the
 * options win over them). Never mutates its input.
 */
export function resolveUpscalerOptions(
  options: UpscalerOptions = {},
  env: Readonly<Record<string, string | undefined>> = {},
): ResolvedUpscalerOptions {
  if (options.model !== undefined && (typeof options.model !== 'string' || options.model === '')) {
    throw invalidOption('model', options.model, 'a model id (see `swinup models list`) or a checkpoint path');
  }
  const envDevice = oneOf('SWINUP_DEVICE', env.SWINUP_DEVICE === '' ? undefined : env.SWINUP_DEVICE, DEVICES);
  const envOffline = envSwitch('SWINUP_OFFLINE', env.SWINUP_OFFLINE);
  const { threads, tileSize: tileLimit, tileOverlap: overlapLimit, maxOutputPixels } = UPSCALER_LIMITS;
  const tileSize = integer('tileSize', options.tileSize, tileLimit.min, tileLimit.max);
  const tileOverlap = integer('tileOverlap', options.tileOverlap, overlapLimit.min, overlapLimit.max);
  if (tileSize !== undefined && tileOverlap !== undefined && tileSize > 0 && tileOverlap * 2 >= tileSize) {
    throw invalidOption('tileOverlap', tileOverlap, `less than half of tileSize (${tileSize})`);
  }
  folder('cacheDir', options.cacheDir);
  return {
    model: options.model,
    task: oneOf('task', options.task, TASKS) ?? 'sr',
    device: oneOf('device', options.device, DEVICES) ?? envDevice ?? 'auto',
    threads: integer('threads', options.threads, threads.min, threads.max) ?? 0,
    tileSize,
    tileOverlap,
    precision: oneOf('precision', options.precision, PRECISIONS) ?? 'auto',
    maxOutputPixels:
      integer('maxOutputPixels', options.maxOutputPixels, maxOutputPixels.min) ?? DEFAULT_MAX_OUTPUT_PIXELS,
    modelsDir: folder('modelsDir', options.modelsDir),
    catalog: file('catalog', options.catalog),
    cacheDir: options.cacheDir,
    resultCacheDir: folder('resultCacheDir', options.resultCacheDir),
    offline: boolean('offline', options.offline) ?? envOffline ?? false,
    onDownload: callback('onDownload', options.onDownload),
    signal: abortSignal(options.signal),
    logger: logger(options.logger) ?? silentLogger,
  };
}

/** Validates per-image options and fills in defaults. Never mutates its input. */
export function resolveUpscaleOptions(options: UpscaleOptions = {}): ResolvedUpscaleOptions {
  const scale = integer('scale', options.scale, 1, 16);
  const width = integer('width', options.width, 1, 1_000_000);
  const height = integer('height', options.height, 1, 1_000_000);
  if (scale !== undefined && (width !== undefined || height !== undefined)) {
    throw invalidOption('scale', scale, 'either scale or width/height, not both');
  }
  const onProgress = callback<(progress: Progress) => void>('onProgress', options.onProgress);
  return {
    scale,
    width,
    height,
    format: oneOf(
      'format',
      options.format === ('jpg' as OutputFormat) ? 'jpeg' : options.format,
      OUTPUT_FORMATS,
    ),
    quality: integer('quality', options.quality, 1, 100),
    keepMetadata: boolean('keepMetadata', options.keepMetadata) ?? true,
    alpha: oneOf('alpha', options.alpha, ALPHA_MODES) ?? 'model',
    overwrite: boolean('overwrite', options.overwrite) ?? false,
    signal: abortSignal(options.signal),
    onProgress,
  };
}
