import { availableParallelism } from 'node:os';
import { SwinupError } from '../errors.js';
import { bleedTransparentColour, interleavedSource, toInterleaved } from '../image/pixel-planes.js';
import {
  decodeImage,
  defaultFormat,
  encodeImage,
  type ImageInput,
  inspectImage,
  loadBytes,
  resizeLanczos,
  type SourceInfo,
  supportsSixteenBit,
} from '../io/image-codec.js';
import { resolveCacheDir } from '../models/cache-dir.js';
import { logTipOnce } from '../models/model-tip.js';
import {
  type ResolvedUpscaleOptions,
  type ResolvedUpscalerOptions,
  resolveUpscaleOptions,
  resolveUpscalerOptions,
  type UpscaleOptions,
  type UpscalerOptions,
} from '../options.js';
import { chooseDevice } from '../runtime/device-choice.js';
import { type DeviceProfile, deviceProfile } from '../runtime/device-profile.js';
import type { ExecutionProviderName } from '../runtime/execution-provider.js';
import type { PlanarImage } from '../tiling/tensor-layout.js';
import { throwIfAborted } from '../tiling/tiled-inference.js';
import { channelGroups, colourPlanes, lanczosAlpha, modelInputChannels } from './channel-plan.js';
import { ModelPasses } from './model-passes.js';
import { availableModels } from './model-resolution.js';
import { checkOutputTarget, writeOutput } from './output-file.js';
import { modelFingerprint, ResultMemo } from './result-memo.js';
import { planSize } from './size-plan.js';
import type { LoadedModel, UpscaleResult, Upscaler, UpscalerStats } from './upscaler-types.js';

export type { UpscaleResult, Upscaler, UpscalerStats } from './upscaler-types.js';

/** Orchestrates one image: device, result memo, size plan, channel groups, passes, encoding. */
class SwinupUpscaler implements Upscaler {
  device: ExecutionProviderName | undefined;
  readonly stats = { inferences: 0, cacheHits: 0 };
  private readonly passes: ModelPasses;
  private readonly memo: ResultMemo | undefined;
  private chosenDevice: Promise<ExecutionProviderName> | undefined;
  private layout: DeviceProfile | undefined;
  private fingerprint: Promise<string> | undefined;

  constructor(
    private readonly options: ResolvedUpscalerOptions,
    private readonly models: ReadonlyMap<number, LoadedModel>,
    private readonly primary: LoadedModel,
  ) {
    this.passes = new ModelPasses(() => this.profile(), resolveCacheDir(options.cacheDir), options.logger);
    this.memo =
      options.resultCacheDir === undefined
        ? undefined
        : new ResultMemo(
            options.resultCacheDir,
            () => (this.fingerprint ??= modelFingerprint(this.models.values(), this.profile())),
            options.logger,
          );
  }

  get model(): string {
    return this.primary.handle.id;
  }

  get scale(): number {
    return this.primary.config.upscale;
  }

  /** Decides the device (and so the tiling and graph variant); sessions open when the first image needs them. */
  async warm(): Promise<void> {
    await this.ensureDevice();
    this.profile();
  }

  /** Tries the preferred providers in order with a one-node model, once; logs the choice as one info line. */
  private ensureDevice(): Promise<ExecutionProviderName> {
    this.chosenDevice ??= chooseDevice(this.options.device, this.options.logger).then((provider) => {
      this.device = provider;
      return provider;
    });
    return this.chosenDevice;
  }

  /** Tiling, graph variant and parallelism for the chosen device. */
  private profile(): DeviceProfile {
    if (this.device === undefined) throw new SwinupError('RUNTIME_FAILED', 'the upscaler has no device yet');
    this.layout ??= deviceProfile(this.device, {
      tileSize: this.options.tileSize,
      tileOverlap: this.options.tileOverlap,
      precision: this.options.precision,
      threads: this.options.threads,
      cores: availableParallelism(),
    });
    return this.layout;
  }

  async upscale(input: ImageInput, options: UpscaleOptions = {}): Promise<UpscaleResult> {
    const resolved = resolveUpscaleOptions(options);
    throwIfAborted(resolved.signal);
    await this.ensureDevice();
    const bytes = await loadBytes(input);
    if (this.memo === undefined) return this.process(await inspectImage(bytes), resolved);
    return this.memo.get(
      bytes,
      resolved,
      async (signal, onProgress) =>
        this.process(await inspectImage(bytes), { ...resolved, signal, onProgress }),
      () => this.stats.cacheHits++,
    );
  }

  async upscaleToFile(
    input: ImageInput,
    output: string,
    options: UpscaleOptions = {},
  ): Promise<UpscaleResult> {
    const resolved = resolveUpscaleOptions(options);
    const target = checkOutputTarget(input, output, resolved.overwrite);
    const result = await this.upscale(input, options);
    throwIfAborted(resolved.signal);
    await writeOutput(target, output, result.data, resolved.overwrite);
    return result;
  }

  private async process(source: SourceInfo, options: ResolvedUpscaleOptions): Promise<UpscaleResult> {
    const { targetW, targetH, passes } = planSize(source.width, source.height, {
      ...options,
      defaultScale: this.primary.config.upscale,
      modelScales: [...this.models.keys()],
      maxOutputPixels: this.options.maxOutputPixels,
    });
    if (source.pages > 1)
      this.options.logger.warn(`animated image with ${source.pages} frames: only the first is upscaled`);
    this.stats.inferences++;
    let decoded = await decodeImage(source);
    throwIfAborted(options.signal);
    const colourChannels = source.grey ? 1 : 3;
    if (source.hasAlpha) decoded = bleedTransparentColour(decoded);
    const alphaIndex = source.hasAlpha ? decoded.channels - 1 : undefined;
    const passModels = passes.map((s) => this.models.get(s) as LoadedModel);
    const inChans = passModels[0]?.config.in_chans ?? 3;
    const colourGroups = channelGroups(colourChannels, inChans);
    const groups =
      alphaIndex !== undefined && options.alpha === 'model' ? [...colourGroups, [alphaIndex]] : colourGroups;
    const total = groups.length * this.passes.countTiles(source.height, source.width, passModels);
    let done = 0;
    const onTiles = (n: number) => {
      done += n;
      options.onProgress?.({ tilesDone: done, tilesTotal: total });
    };
    const results: PlanarImage[] = [];
    for (const group of groups) {
      const input = interleavedSource(decoded, modelInputChannels(group, inChans));
      results.push(await this.passes.run(input, passModels, options.signal, onTiles));
    }
    const planes = colourPlanes(results, colourGroups, colourChannels, inChans);
    const format = options.format ?? defaultFormat(source);
    const depth: 8 | 16 = source.depth === 16 && supportsSixteenBit(format) ? 16 : 8;
    if (alphaIndex !== undefined) {
      const alpha =
        results[colourGroups.length] ?? (await lanczosAlpha(decoded, alphaIndex, results[0] as PlanarImage));
      planes.push({ image: alpha, channels: alpha.channels === 3 ? [0, 1, 2] : [0] });
    }
    let image = toInterleaved(planes, depth);
    if (image.width !== targetW || image.height !== targetH)
      image = await resizeLanczos(image, targetW, targetH);
    throwIfAborted(options.signal);
    const data = await encodeImage(image, {
      format,
      quality: options.quality,
      keepMetadata: options.keepMetadata,
      source,
    });
    return {
      data,
      info: {
        width: image.width,
        height: image.height,
        channels: image.channels,
        depth,
        format,
        passes,
        models: passModels.map((m) => m.handle.id),
        device: this.device ?? 'cpu',
        tiles: total,
        cached: false,
      },
    };
  }

  async close(): Promise<void> {
    await this.passes.close();
  }
}

/**
 * Closes upscalers that may still be starting (or have failed to start) and sums their work: what a
 * host that keeps one upscaler per model reports at the end of a build.
 */
export async function closeUpscalers(upscalers: Iterable<Promise<Upscaler>>): Promise<UpscalerStats> {
  const created = await Promise.allSettled(upscalers);
  let inferences = 0;
  let cacheHits = 0;
  for (const outcome of created) {
    if (outcome.status !== 'fulfilled') continue;
    inferences += outcome.value.stats.inferences;
    cacheHits += outcome.value.stats.cacheHits;
    await outcome.value.close();
  }
  return { inferences, cacheHits };
}

/**
 * Creates a reusable upscaler: reads its models' configs and decides the device (so `device` is known);
 * graphs compile and sessions open when an image first needs them, so cached results cost neither.
 */
export async function createUpscaler(options: UpscalerOptions = {}): Promise<Upscaler> {
  const resolved = resolveUpscalerOptions(options, process.env);
  throwIfAborted(resolved.signal);
  const { primary, byScale, tip } = await availableModels(resolved);
  logTipOnce(resolved.logger, tip);
  const upscaler = new SwinupUpscaler(resolved, byScale, primary);
  await upscaler.warm();
  return upscaler;
}

/** Upscales one image with a temporary upscaler; pass `output` to write a file atomically. */
export async function upscale(
  input: ImageInput,
  options: UpscalerOptions & UpscaleOptions & { output?: string } = {},
): Promise<UpscaleResult> {
  const upscaler = await createUpscaler(options);
  try {
    return options.output === undefined
      ? await upscaler.upscale(input, options)
      : await upscaler.upscaleToFile(input, options.output, options);
  } finally {
    await upscaler.close();
  }
}
