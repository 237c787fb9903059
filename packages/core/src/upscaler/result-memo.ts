import { ResultCache, resultCacheKey } from '../cache/result-cache.js';
import { SharedWork } from '../cache/shared-work.js';
import type { Logger } from '../logger.js';
import { bytesSha256, fileSha256 } from '../models/file-hash.js';
import type { Progress, ResolvedUpscaleOptions } from '../options.js';
import { CORE_VERSION } from '../package-info.js';
import type { DeviceProfile } from '../runtime/device-profile.js';
import type { LoadedModel, UpscaleResult } from './upscaler-types.js';

/** Hash of everything besides the image and its options that decides a result: model files and layout. */
export async function modelFingerprint(
  models: Iterable<LoadedModel>,
  profile: DeviceProfile,
): Promise<string> {
  const hashes = await Promise.all(
    [...models].map(async (m) => ({ id: m.handle.id, sha256: await fileSha256(m.handle.checkpointPath) })),
  );
  const { tileSize, tileOverlap, fused, precision, float16Weights } = profile;
  return resultCacheKey({ models: hashes, tileSize, tileOverlap, fused, precision, float16Weights });
}

/** Computes a result: the shared work gets its own signal and progress fan-out. */
export type ComputeResult = (
  signal: AbortSignal,
  onProgress: (progress: Progress) => void,
) => Promise<UpscaleResult>;

/**
 * Results remembered on disk by a key over the source bytes, the models' fingerprint, the decisive options
 * and the core version; identical concurrent requests share one computation, which runs until its last
 * caller aborts. A failed cache write costs only a warning.
 */
export class ResultMemo {
  private readonly cache: ResultCache<UpscaleResult['info']>;
  private readonly inFlight = new SharedWork<UpscaleResult>();

  constructor(
    dir: string,
    private readonly fingerprint: () => Promise<string>,
    private readonly logger: Logger,
  ) {
    this.cache = new ResultCache(dir);
  }

  /** The remembered result for these bytes and options, or a newly computed (and stored) one. */
  async get(
    bytes: Uint8Array,
    options: ResolvedUpscaleOptions,
    compute: ComputeResult,
    onHit: () => void,
  ): Promise<UpscaleResult> {
    const { signal: _signal, onProgress: _onProgress, overwrite: _overwrite, ...decisive } = options;
    const key = resultCacheKey({
      source: bytesSha256(bytes),
      models: await this.fingerprint(),
      options: decisive,
      core: CORE_VERSION,
    });
    const hit = await this.cache.get(key);
    if (hit !== undefined) {
      onHit();
      return { data: hit.data, info: { ...hit.metadata, cached: true } };
    }
    return this.inFlight.run(key, options, async (signal, onProgress) => {
      const result = await compute(signal, onProgress);
      try {
        await this.cache.set(key, result.data, result.info);
      } catch (error) {
        // The result is good; only the next identical request will have to compute it again.
        this.logger.warn(
          `could not store the result in the cache ${this.cache.dir}: ${(error as Error).message}`,
        );
      }
      return result;
    });
  }
}
