import type { Logger, Progress, UpscaleResult, Upscaler } from '@swinup/core';
import type { PluginUpscalerOptions, UpscaleEvent, UpscaleStats } from './options.js';
import { toUpscaleOptions, type UpscaleSettings } from './query.js';

/** What a pool needs to know about the build it serves. */
export interface PoolSettings {
  /** Folder of the persistent result cache. */
  readonly resultCacheDir: string;
  readonly upscaler: PluginUpscalerOptions;
  readonly logger: Logger;
  /** How an image is named in messages (its path relative to the project root). */
  readonly nameOf: (file: string) => string;
  readonly onResult: ((event: UpscaleEvent) => void) | undefined;
}

/** The error a build reports for an image: its name and the reason, the original error as the cause. */
export function imageError(name: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`swinup could not upscale ${name}: ${reason}`, { cause: error });
}

/**
 * The upscalers of one build: one per model, created on first use, all closed at the end. The core
 * itself is imported on first use too, since loading ONNX Runtime costs time a build without
 * upscaled images should not pay.
 */
export class UpscalerPool {
  private readonly upscalers = new Map<string, Promise<Upscaler>>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly settings: PoolSettings) {}

  /** Folder of the persistent result cache. */
  get cacheDir(): string {
    return this.settings.resultCacheDir;
  }

  /** Upscales one image file; failures name the image. */
  upscale(file: string, settings: UpscaleSettings): Promise<UpscaleResult> {
    const job = this.run(file, settings);
    this.running.add(job);
    job.then(
      () => this.running.delete(job),
      () => this.running.delete(job),
    );
    return job;
  }

  private async run(file: string, settings: UpscaleSettings): Promise<UpscaleResult> {
    const name = this.settings.nameOf(file);
    const started = performance.now();
    try {
      const upscaler = await this.upscaler(settings.model);
      const result = await upscaler.upscale(file, {
        ...toUpscaleOptions(settings),
        onProgress: this.progress(name),
      });
      const { info } = result;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const what = `${name} → ${info.width}×${info.height} ${info.format}`;
      if (info.cached) this.settings.logger.debug(`${what} (cached)`);
      else this.settings.logger.info(`${what} in ${seconds} s`);
      this.settings.onResult?.({ file, info });
      return result;
    } catch (error) {
      throw imageError(name, error);
    }
  }

  private upscaler(model: string | undefined): Promise<Upscaler> {
    const key = model ?? '';
    let upscaler = this.upscalers.get(key);
    if (upscaler === undefined) {
      upscaler = import('@swinup/core').then(({ createUpscaler }) =>
        createUpscaler({
          ...this.settings.upscaler,
          model,
          resultCacheDir: this.settings.resultCacheDir,
          logger: this.settings.logger,
        }),
      );
      // A failed load (e.g. a model not pulled yet) is retried by the next image that asks for it.
      upscaler.catch(() => this.upscalers.delete(key));
      this.upscalers.set(key, upscaler);
    }
    return upscaler;
  }

  /** Logs tile progress at most once a second, so long upscales show they are alive. */
  private progress(name: string): (progress: Progress) => void {
    let last = 0;
    return ({ tilesDone, tilesTotal }) => {
      const now = performance.now();
      if (tilesTotal < 2 || (tilesDone < tilesTotal && now - last < 1000)) return;
      last = now;
      this.settings.logger.info(`${name}: ${tilesDone}/${tilesTotal} tiles`);
    };
  }

  /** Waits for running work, frees every session and returns the work done. */
  async close(): Promise<UpscaleStats> {
    await Promise.allSettled(this.running);
    const upscalers = [...this.upscalers.values()];
    this.upscalers.clear();
    // Core is loaded lazily (it brings ONNX Runtime); by now it is, whenever an upscaler was made.
    const { closeUpscalers } = await import('@swinup/core');
    return closeUpscalers(upscalers);
  }
}
