import type { Logger, UpscaleResult, UpscalerOptions } from '@swinup/core';
import { checkDefaults, type UpscaleSettings } from './query.js';

/** Upscaler settings the plugin passes through to `@swinup/core`. */
export type PluginUpscalerOptions = Pick<
  UpscalerOptions,
  'device' | 'threads' | 'tileSize' | 'tileOverlap' | 'precision' | 'maxOutputPixels' | 'cacheDir'
>;

/** One image the build upscaled (or took from the cache). */
export interface UpscaleEvent {
  /** Absolute path of the source image. */
  readonly file: string;
  /** What the core reports: output size and format, and `cached` when no inference ran. */
  readonly info: UpscaleResult['info'];
}

/** Work done in one build, summed over its upscalers. */
export interface UpscaleStats {
  /** Images that ran the model. */
  readonly inferences: number;
  /** Images served from the persistent result cache. */
  readonly cacheHits: number;
}

/** Options of the swinup build plugin. */
export interface SwinupPluginOptions {
  /**
   * Globs (relative to the project root) of images upscaled without a query, with `defaults`.
   * An import with `?upscale` is always upscaled.
   */
  include?: string | readonly string[];
  /** Globs taken out of `include`. */
  exclude?: string | readonly string[];
  /** Settings for every upscaled image; an import's query overrides them. */
  defaults?: UpscaleSettings;
  /**
   * Folder of the persistent result cache (default `node_modules/.cache/swinup` in the project root).
   * Keep it between CI runs and unchanged images are never upscaled again.
   */
  cacheDir?: string;
  /** Device, threads, tiling and model cache folder of the upscaler. */
  upscaler?: PluginUpscalerOptions;
  /** Receives progress notes; default: Vite's logger, webpack's and Rspack's infrastructure logger, else silent. */
  logger?: Logger;
  /** Called for every upscaled image. */
  onResult?: (event: UpscaleEvent) => void;
  /** Called at the end of every build with the work done, e.g. to check that a rebuild ran no inference. */
  onStats?: (stats: UpscaleStats) => void;
}

/** Plugin options after validation. */
export interface ResolvedPluginOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly defaults: UpscaleSettings;
  readonly cacheDir: string | undefined;
  readonly upscaler: PluginUpscalerOptions;
  readonly logger: Logger | undefined;
  readonly onResult: ((event: UpscaleEvent) => void) | undefined;
  readonly onStats: ((stats: UpscaleStats) => void) | undefined;
}

const OPTION_KEYS = [
  'include',
  'exclude',
  'defaults',
  'cacheDir',
  'upscaler',
  'logger',
  'onResult',
  'onStats',
] as const;
const UPSCALER_KEYS = [
  'device',
  'threads',
  'tileSize',
  'tileOverlap',
  'precision',
  'maxOutputPixels',
  'cacheDir',
] as const;

function invalid(option: string, value: unknown, allowed: string): Error {
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value;
  return new Error(`Invalid swinup plugin option ${option}: ${shown}; expected ${allowed}`);
}

function globs(option: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((glob) => typeof glob === 'string' && glob !== ''))
    throw invalid(option, value, 'a glob or an array of globs');
  return list;
}

function callback<T extends (...args: never[]) => unknown>(option: string, value: unknown): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalid(option, value, 'a function');
  return value as T | undefined;
}

function keysOf(option: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(option, value, 'an object');
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    const name = option === '' ? unknown : `${option}.${unknown}`;
    throw new Error(`Unknown swinup plugin option ${name}; expected one of ${allowed.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

/** Validates the plugin options; upscaler settings are checked by the core when the first image needs them. */
export function resolvePluginOptions(options: SwinupPluginOptions = {}): ResolvedPluginOptions {
  const raw = keysOf('', options, OPTION_KEYS);
  if (raw.cacheDir !== undefined && (typeof raw.cacheDir !== 'string' || raw.cacheDir === ''))
    throw invalid('cacheDir', raw.cacheDir, 'a folder path');
  const logger = raw.logger as Logger | undefined;
  const methods: readonly (keyof Logger)[] = ['debug', 'info', 'warn'];
  if (logger !== undefined && methods.some((method) => typeof logger[method] !== 'function'))
    throw invalid('logger', logger, 'an object with debug, info and warn methods');
  return {
    include: globs('include', raw.include),
    exclude: globs('exclude', raw.exclude),
    defaults: checkDefaults(raw.defaults),
    cacheDir: raw.cacheDir as string | undefined,
    upscaler: keysOf('upscaler', raw.upscaler, UPSCALER_KEYS) as PluginUpscalerOptions,
    logger,
    onResult: callback('onResult', raw.onResult),
    onStats: callback('onStats', raw.onStats),
  };
}
