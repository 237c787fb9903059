import { join } from 'node:path';
import type { Logger, UpscaleResult, Upscaler } from '@swinup/core';
import type { GatsbyCache, Reporter } from 'gatsby';
import {
  type ResolvedOptions,
  type SwinupUpscalerOptions,
  toUpscaleOptions,
  type UpscaleSettings,
} from './options.js';

/** Work done by the upscalers of one Gatsby process. */
export interface UpscaleCounts {
  /** Images that ran the model. */
  readonly inferences: number;
  /** Images served from the result cache in Gatsby's cache folder. */
  readonly cacheHits: number;
}

/**
 * The upscalers of one Gatsby process (the main one, or a query worker): one per model, created on
 * first use and sharing one result cache, so a result computed in any process is reused by all.
 * The core is imported on first use, since loading ONNX Runtime costs time a build without work to do
 * should not pay.
 */
export class Upscalers {
  private readonly byModel = new Map<string, Promise<Upscaler>>();

  constructor(
    /** Folder of the core's result cache. */
    readonly resultCacheDir: string,
    private readonly options: SwinupUpscalerOptions,
    private readonly logger: Logger,
  ) {}

  /** Upscales one image file with some settings; `name` is how messages call it. */
  async upscale(file: string, name: string, settings: UpscaleSettings): Promise<UpscaleResult> {
    const started = performance.now();
    const upscaler = await this.upscalerFor(settings.model);
    const result = await upscaler.upscale(file, toUpscaleOptions(settings));
    const { width, height, format, cached } = result.info;
    const what = `${name} → ${width}×${height} ${format}`;
    if (cached) this.logger.debug(`${what} (cached)`);
    else this.logger.info(`${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  }

  private upscalerFor(model: string | undefined): Promise<Upscaler> {
    const key = model ?? '';
    let upscaler = this.byModel.get(key);
    if (upscaler === undefined) {
      upscaler = import('@swinup/core').then(({ createUpscaler }) =>
        createUpscaler({ ...this.options, model, resultCacheDir: this.resultCacheDir, logger: this.logger }),
      );
      // A failed load (e.g. a model not pulled yet) is retried by the next image that asks for it.
      upscaler.catch(() => this.byModel.delete(key));
      this.byModel.set(key, upscaler);
    }
    return upscaler;
  }

  /** Frees every session and returns the work done. */
  async close(): Promise<UpscaleCounts> {
    const upscalers = [...this.byModel.values()];
    this.byModel.clear();
    // Core is loaded lazily (it brings ONNX Runtime); by now it is, whenever an upscaler was made.
    const { closeUpscalers } = await import('@swinup/core');
    return closeUpscalers(upscalers);
  }
}

let shared: Upscalers | undefined;

/** The upscalers of this process, created by the first hook or resolver that needs one. */
function sharedUpscalers(create: () => Upscalers): Upscalers {
  shared ??= create();
  return shared;
}

/** Closes this process's upscalers, if any were created, and returns their work. */
export async function closeSharedUpscalers(): Promise<UpscaleCounts | undefined> {
  const closing = shared;
  shared = undefined;
  return closing?.close();
}

/** The core's logger over Gatsby's reporter: progress as info, cache hits only with `--verbose`. */
function reporterLogger(reporter: Reporter): Logger {
  return {
    debug: (message) => reporter.verbose(`swinup: ${message}`),
    info: (message) => reporter.info(`swinup: ${message}`),
    warn: (message) => reporter.warn(`swinup: ${message}`),
  };
}

/** This process's upscalers for a hook's helpers: results cached in the plugin's Gatsby cache folder. */
export function upscalersFor(cache: GatsbyCache, reporter: Reporter, options: ResolvedOptions): Upscalers {
  return sharedUpscalers(
    () => new Upscalers(join(cache.directory, 'results'), options.upscaler, reporterLogger(reporter)),
  );
}
