import type { ImageInput } from '../io/image-codec.js';
import type { Logger } from '../logger.js';
import type { Progress, UpscalerOptions } from '../options.js';
import type { UpscaleResult, Upscaler, UpscalerStats } from '../upscaler/upscaler-types.js';
import { toUpscaleOptions, type UpscaleSettings } from './upscale-settings.js';

/** Upscaler settings a host passes through (device, threads, tiling, model folders…), besides the model. */
export type PoolUpscalerOptions = Omit<UpscalerOptions, 'model' | 'resultCacheDir' | 'logger'>;

/** What a pool needs to know about the build or server it serves. */
export interface UpscalerPoolSettings {
  /** Passed to every upscaler the pool creates. */
  readonly upscaler?: PoolUpscalerOptions;
  /** Folder of the persistent result cache shared by the pool's upscalers. */
  readonly resultCacheDir?: string | undefined;
  /** The host's logger: one info line per upscaled image, cache hits at debug. */
  readonly logger: Logger;
}

/** Per-call extras of {@link UpscalerPool.upscale}. */
export interface PoolUpscaleCall {
  /** How messages call the image (e.g. its path relative to the project). */
  readonly name: string;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
}

/**
 * The upscalers of one build or server: one per model, created on first use (failed ones are retried by
 * the next image that asks), all closed together. The upscaler module itself loads on first use, since
 * ONNX Runtime costs time a build without images to upscale should not pay.
 */
export class UpscalerPool {
  private readonly upscalers = new Map<string, Promise<Upscaler>>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly settings: UpscalerPoolSettings) {}

  /** Folder of the persistent result cache, if any. */
  get resultCacheDir(): string | undefined {
    return this.settings.resultCacheDir;
  }

  /** Upscales one image with some settings; logs what it did. */
  upscale(input: ImageInput, settings: UpscaleSettings, call: PoolUpscaleCall): Promise<UpscaleResult> {
    const job = this.run(input, settings, call);
    this.running.add(job);
    const forget = () => this.running.delete(job);
    job.then(forget, forget);
    return job;
  }

  /** The upscaler of a model (undefined: the default), created on first use. */
  upscaler(model: string | undefined): Promise<Upscaler> {
    const key = model ?? '';
    let upscaler = this.upscalers.get(key);
    if (upscaler === undefined) {
      upscaler = import('../upscaler/upscaler.js').then(({ createUpscaler }) =>
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

  private async run(
    input: ImageInput,
    settings: UpscaleSettings,
    call: PoolUpscaleCall,
  ): Promise<UpscaleResult> {
    const started = performance.now();
    const upscaler = await this.upscaler(settings.model);
    const progress = this.progressLog(call.name);
    const result = await upscaler.upscale(input, {
      ...toUpscaleOptions(settings),
      signal: call.signal,
      onProgress: (p) => {
        progress(p);
        call.onProgress?.(p);
      },
    });
    const { width, height, format, cached, models } = result.info;
    const what = `${call.name} → ${width}×${height} ${format}`;
    // The models are named either way: a cached result is still the work of those models.
    if (cached) this.settings.logger.debug(`${what} (cached, ${models.join(' + ')})`);
    else {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      this.settings.logger.info(`${what} in ${seconds} s (${models.join(' + ')})`);
    }
    return result;
  }

  /** Logs tile progress at most once a second, so long upscales show they are alive. */
  private progressLog(name: string): (progress: Progress) => void {
    let last = performance.now();
    return ({ tilesDone, tilesTotal }) => {
      const now = performance.now();
      if (tilesDone >= tilesTotal || now - last < 1000) return;
      last = now;
      this.settings.logger.info(`${name}: ${tilesDone}/${tilesTotal} tiles`);
    };
  }

  /** Waits for running work, frees every session and returns the work done. */
  async close(): Promise<UpscalerStats> {
    await Promise.allSettled(this.running);
    const upscalers = [...this.upscalers.values()];
    this.upscalers.clear();
    const { closeUpscalers } = await import('../upscaler/upscaler.js');
    return closeUpscalers(upscalers);
  }
}
