import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, resolve as resolvePath } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { ResultCache, resultCacheKey } from './cache/result-cache.js';
import { SharedWork } from './cache/shared-work.js';
import { readCheckpoint } from './checkpoint/index.js';
import { SwinupError, withFile } from './errors.js';
import type { SwinIRConfig } from './graph/swinir-config.js';
import { inferConfig } from './graph/swinir-config.js';
import type { InputShape } from './graph/swinir-graph.js';
import {
  bleedTransparentColour,
  clampUnit,
  type InterleavedImage,
  interleavedSource,
  maxSample,
  planarSource,
  toInterleaved,
} from './image/pixel-planes.js';
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
} from './io/image-codec.js';
import { resolveCacheDir } from './models/cache-dir.js';
import { bytesSha256, fileSha256 } from './models/file-hash.js';
import { type Catalog, findEntry, loadCatalog, requireEntry } from './models/model-catalog.js';
import { importedModelHandle } from './models/model-install.js';
import {
  checkpointPathOf,
  compiledGraph,
  isInstalled,
  looksLikeFile,
  type ModelHandle,
  notInstalled,
  readCheckpointFile,
} from './models/model-store.js';
import { planScale } from './models/scale-plan.js';
import {
  type ResolvedUpscaleOptions,
  type ResolvedUpscalerOptions,
  resolveUpscaleOptions,
  resolveUpscalerOptions,
  type UpscaleOptions,
  type UpscalerOptions,
} from './options.js';
import { CORE_VERSION } from './package-info.js';
import { chooseDevice } from './runtime/device-choice.js';
import { type DeviceProfile, deviceProfile } from './runtime/device-profile.js';
import type { ExecutionProviderName } from './runtime/execution-provider.js';
import { createRunner } from './runtime/onnx-session.js';
import { RunnerCache, type RunnerLease } from './runtime/runner-cache.js';
import { createCpuRunner } from './runtime/session-pool.js';
import type { PlanarImage } from './tiling/tensor-layout.js';
import {
  countTiles,
  type TileRunner,
  type TileSource,
  throwIfAborted,
  upscaleTiled,
} from './tiling/tiled-inference.js';

/** What an upscale produced. */
export interface UpscaleResult {
  /** The encoded output image. */
  readonly data: Buffer;
  readonly info: {
    readonly width: number;
    readonly height: number;
    readonly channels: number;
    readonly depth: 8 | 16;
    readonly format: string;
    /** Model passes run (e.g. [4, 2] for ×8 from a ×4 and a ×2 model). */
    readonly passes: readonly number[];
    /** Model ids used, per pass. */
    readonly models: readonly string[];
    /** Execution provider used. */
    readonly device: ExecutionProviderName;
    readonly tiles: number;
    /** True when the result came from the result cache (no inference ran). */
    readonly cached: boolean;
  };
}

/** Counters of the work an upscaler did, e.g. to prove a rebuild ran no inference. */
export interface UpscalerStats {
  /** Images that ran the model. */
  readonly inferences: number;
  /** Images served from the result cache. */
  readonly cacheHits: number;
}

/** A reusable upscaler: compiled models and sessions are cached per model, tile shape and device. */
export interface Upscaler {
  /** The execution provider in use (`createUpscaler` decides it; sessions open at the first inference). */
  readonly device: ExecutionProviderName | undefined;
  /** Id of the model used when an image does not ask for another scale. */
  readonly model: string;
  /** That model's scale: the default enlargement. */
  readonly scale: number;
  /** Upscales one image to encoded bytes. */
  upscale(input: ImageInput, options?: UpscaleOptions): Promise<UpscaleResult>;
  /** Upscales one image into a file, written atomically (temp file, then rename). */
  upscaleToFile(input: ImageInput, output: string, options?: UpscaleOptions): Promise<UpscaleResult>;
  /** Work done so far. */
  readonly stats: UpscalerStats;
  /** Frees every session. */
  close(): Promise<void>;
}

/**
 * Tile shapes whose sessions an upscaler keeps (each holds memory in every worker); images of other sizes
 * reopen sessions from the compiled-graph cache.
 */
const MAX_CACHED_SHAPES = 4;

interface LoadedModel {
  readonly handle: ModelHandle;
  readonly config: SwinIRConfig;
}

class SwinupUpscaler implements Upscaler {
  device: ExecutionProviderName | undefined;
  readonly stats = { inferences: 0, cacheHits: 0 };
  private readonly runners = new RunnerCache(MAX_CACHED_SHAPES);
  private readonly inFlight = new SharedWork<UpscaleResult>();
  private readonly cacheDir: string;
  private readonly results: ResultCache<UpscaleResult['info']> | undefined;
  private fingerprint: Promise<string> | undefined;
  private chosenDevice: Promise<ExecutionProviderName> | undefined;
  private layout: DeviceProfile | undefined;

  constructor(
    private readonly options: ResolvedUpscalerOptions,
    private readonly models: ReadonlyMap<number, LoadedModel>,
    private readonly primary: LoadedModel,
  ) {
    this.cacheDir = resolveCacheDir(options.cacheDir);
    this.results = options.resultCacheDir === undefined ? undefined : new ResultCache(options.resultCacheDir);
  }

  /** Hash of everything besides the image and its options that decides a result. */
  private modelFingerprint(): Promise<string> {
    this.fingerprint ??= (async () => {
      const models = await Promise.all(
        [...this.models.values()].map(async (m) => ({
          id: m.handle.id,
          sha256: await fileSha256(m.handle.checkpointPath),
        })),
      );
      const { tileSize, tileOverlap, fused, precision, float16Weights } = this.profile();
      return resultCacheKey({ models, tileSize, tileOverlap, fused, precision, float16Weights });
    })();
    return this.fingerprint;
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

  private runner(model: LoadedModel, shape: InputShape): Promise<RunnerLease> {
    return this.runners.lease(`${model.handle.checkpointPath}|${shape.join('x')}`, async () => {
      const profile = this.profile();
      const { onnx } = await compiledGraph(model.handle, shape, this.cacheDir, profile);
      if (profile.provider === 'cpu') return createCpuRunner(onnx, profile);
      return createRunner(onnx, {
        device: profile.provider,
        threads: profile.threadsPerSession,
        logger: this.options.logger,
      });
    });
  }

  private tileRunner(model: LoadedModel): (h: number, w: number) => Promise<TileRunner> {
    return async (h, w) => {
      const batch = this.profile().tilesPerRun;
      const channels = model.config.in_chans;
      const { runner, done } = await this.runner(model, [batch, channels, h, w]);
      return {
        parallelism: runner.parallelism,
        run: async (input, count) => {
          const full =
            input.length === batch * channels * h * w ? input : padBatch(input, batch * channels * h * w);
          const out = await runner.run(full, [batch, channels, h, w]);
          return count === batch ? out : out.subarray(0, (out.length / batch) * count);
        },
        done,
      };
    };
  }

  async upscale(input: ImageInput, options: UpscaleOptions = {}): Promise<UpscaleResult> {
    const resolved = resolveUpscaleOptions(options);
    throwIfAborted(resolved.signal);
    await this.ensureDevice();
    const bytes = await loadBytes(input);
    const { results } = this;
    if (results === undefined) return this.process(await inspectImage(bytes), resolved);
    const { signal: _signal, onProgress: _onProgress, overwrite: _overwrite, ...decisive } = resolved;
    const key = resultCacheKey({
      source: bytesSha256(bytes),
      models: await this.modelFingerprint(),
      options: decisive,
      core: CORE_VERSION,
    });
    const hit = await results.get(key);
    if (hit !== undefined) {
      this.stats.cacheHits++;
      return { data: hit.data, info: { ...hit.metadata, cached: true } };
    }
    // Identical concurrent requests share one job, which runs until its last caller aborts.
    return this.inFlight.run(key, resolved, async (signal, onProgress) => {
      const result = await this.process(await inspectImage(bytes), { ...resolved, signal, onProgress });
      try {
        await results.set(key, result.data, result.info);
      } catch (error) {
        // The result is good; only the next identical request will have to compute it again.
        this.options.logger.warn(
          `could not store the result in the cache ${results.dir}: ${(error as Error).message}`,
        );
      }
      return result;
    });
  }

  async upscaleToFile(
    input: ImageInput,
    output: string,
    options: UpscaleOptions = {},
  ): Promise<UpscaleResult> {
    const resolved = resolveUpscaleOptions(options);
    const target = resolvePath(output);
    if (!resolved.overwrite) {
      if (typeof input === 'string' && resolvePath(input) === target) {
        throw new SwinupError(
          'OUTPUT_FAILED',
          `output ${output} is the input file; pass overwrite to replace it`,
        );
      }
      if (existsSync(target))
        throw new SwinupError('OUTPUT_FAILED', `output ${output} exists; pass overwrite to replace it`);
    }
    const result = await this.upscale(input, options);
    throwIfAborted(resolved.signal);
    try {
      // Without overwrite the rule holds at the final step too: a file that appeared meanwhile stays.
      await writeFileAtomic(target, result.data, { exclusive: !resolved.overwrite });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new SwinupError(
          'OUTPUT_FAILED',
          `output ${output} was created by something else while upscaling; it was not replaced ` +
            '(pass overwrite to replace it)',
          { cause: error },
        );
      }
      throw new SwinupError('OUTPUT_FAILED', `cannot write ${output}: ${code ?? (error as Error).message}`, {
        cause: error,
      });
    }
    return result;
  }

  private plan(source: SourceInfo, options: ResolvedUpscaleOptions) {
    const { width: w, height: h } = source;
    let targetW: number;
    let targetH: number;
    if (options.width !== undefined || options.height !== undefined) {
      targetW = options.width ?? Math.max(1, Math.round((w * (options.height as number)) / h));
      targetH = options.height ?? Math.max(1, Math.round((h * (options.width as number)) / w));
    } else {
      const scale = options.scale ?? this.primary.config.upscale;
      targetW = w * scale;
      targetH = h * scale;
    }
    const factor = Math.max(targetW / w, targetH / h);
    const scales = [...this.models.keys()];
    const plan = this.models.has(factor) ? { passes: [factor], reached: factor } : planScale(factor, scales);
    if (plan === undefined) {
      throw new SwinupError(
        'MODEL_NOT_FOUND',
        `no installed model can enlarge by ${factor}; see \`swinup models list\``,
      );
    }
    const largest = Math.max(targetW * targetH, w * h * plan.reached * plan.reached);
    if (largest > this.options.maxOutputPixels) {
      throw new SwinupError(
        'IMAGE_TOO_LARGE',
        `image is ${w}×${h}; enlarging it needs a ${w * plan.reached}×${h * plan.reached} result ` +
          `(${(largest / 1e6).toFixed(1)} MP), over the limit of ${(this.options.maxOutputPixels / 1e6).toFixed(1)} MP ` +
          '(maxOutputPixels / --max-pixels)',
      );
    }
    return { targetW, targetH, passes: plan.passes };
  }

  private async process(source: SourceInfo, options: ResolvedUpscaleOptions): Promise<UpscaleResult> {
    const { targetW, targetH, passes } = this.plan(source, options);
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
    const colourGroups = groupsFor(colourChannels, inChans);
    const groups =
      alphaIndex !== undefined && options.alpha === 'model' ? [...colourGroups, [alphaIndex]] : colourGroups;
    const total = groups.reduce((sum) => sum + this.countPassTiles(source, passModels), 0);
    let done = 0;
    const onTiles = (n: number) => {
      done += n;
      options.onProgress?.({ tilesDone: done, tilesTotal: total });
    };
    const results: PlanarImage[] = [];
    for (const group of groups) {
      const map = inChans === 3 && group.length === 1 ? [group[0], group[0], group[0]] : group;
      results.push(
        await this.runPasses(interleavedSource(decoded, map as number[]), passModels, options, onTiles),
      );
    }
    const planes = results.slice(0, colourGroups.length).flatMap((image, g) => {
      if (inChans === 1) return [{ image, channels: [0] }];
      if (colourChannels === 1 || colourGroups[g]?.length === 1) return [{ image, channels: [0, 1, 2] }];
      return [0, 1, 2].map((c) => ({ image, channels: [c] }));
    });
    const format = options.format ?? defaultFormat(source);
    const depth: 8 | 16 = source.depth === 16 && supportsSixteenBit(format) ? 16 : 8;
    if (alphaIndex !== undefined) {
      const alpha =
        results[colourGroups.length] ??
        (await this.lanczosAlpha(decoded, alphaIndex, results[0] as PlanarImage));
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

  private countPassTiles(source: SourceInfo, models: readonly LoadedModel[]): number {
    let h = source.height;
    let w = source.width;
    let count = 0;
    for (const model of models) {
      count += countTiles(h, w, {
        tileSize: this.profile().tileSize,
        overlap: this.profile().tileOverlap,
        window: model.config.window_size,
        parallel: this.profile().sessions * this.profile().tilesPerRun,
      });
      h *= model.config.upscale;
      w *= model.config.upscale;
    }
    return count;
  }

  private async runPasses(
    first: TileSource,
    models: readonly LoadedModel[],
    options: ResolvedUpscaleOptions,
    onTiles: (n: number) => void,
  ): Promise<PlanarImage> {
    let source = first;
    let result: PlanarImage | undefined;
    for (const model of models) {
      result = clampUnit(
        await upscaleTiled(source, this.tileRunner(model), {
          scale: model.config.upscale,
          window: model.config.window_size,
          tileSize: this.profile().tileSize,
          overlap: this.profile().tileOverlap,
          batch: this.profile().tilesPerRun,
          parallel: this.profile().sessions * this.profile().tilesPerRun,
          signal: options.signal,
          onTiles,
        }),
      );
      source = planarSource(result);
    }
    return result as PlanarImage;
  }

  private async lanczosAlpha(
    decoded: InterleavedImage,
    alphaIndex: number,
    like: PlanarImage,
  ): Promise<PlanarImage> {
    const alphaOnly = extractChannel(decoded, alphaIndex);
    const resized = await resizeLanczos(alphaOnly, like.width, like.height);
    const max = maxSample(resized.depth);
    return {
      channels: 1,
      height: resized.height,
      width: resized.width,
      data: Float32Array.from(resized.pixels, (v) => v / max),
    };
  }

  async close(): Promise<void> {
    await this.runners.close();
  }
}

/** Channel groups a model consumes: RGB at once for colour models, each channel alone for grey ones. */
function groupsFor(colourChannels: number, inChans: number): number[][] {
  if (inChans === 3) return [colourChannels === 3 ? [0, 1, 2] : [0]];
  return Array.from({ length: colourChannels }, (_, c) => [c]);
}

function extractChannel(image: InterleavedImage, channel: number): InterleavedImage {
  const area = image.width * image.height;
  const pixels = image.depth === 16 ? new Uint16Array(area) : new Uint8Array(area);
  for (let p = 0; p < area; p++) pixels[p] = image.pixels[p * image.channels + channel] as number;
  return { width: image.width, height: image.height, channels: 1, depth: image.depth, pixels };
}

function padBatch(input: Float32Array, length: number): Float32Array {
  const padded = new Float32Array(length);
  padded.set(input);
  return padded;
}

async function loadModel(handle: ModelHandle): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readCheckpointFile(handle.checkpointPath);
  } catch (error) {
    if (error instanceof SwinupError) throw withFile(error, handle.checkpointPath);
    throw notInstalled(handle);
  }
  try {
    const tensors = readCheckpoint(bytes);
    const hints = handle.imgRange === undefined ? {} : { imgRange: handle.imgRange };
    return { handle, config: inferConfig(tensors.weights, tensors.otherTensors, hints).config };
  } catch (error) {
    throw withFile(error, handle.checkpointPath);
  }
}

function unknownModel(catalog: Catalog, id: string): never {
  requireEntry(catalog, id);
  throw new SwinupError('MODEL_NOT_FOUND', `unknown model "${id}"`);
}

/** Models available for a task, keyed by scale: the requested one, else the installed catalog models. */
async function availableModels(options: ResolvedUpscalerOptions, catalogOf: () => Catalog) {
  const cacheDir = resolveCacheDir(options.cacheDir);
  const handleOf = (id: string): ModelHandle => {
    const catalog = catalogOf();
    const entry = findEntry(catalog, id);
    if (entry === undefined) return importedModelHandle(id, cacheDir) ?? unknownModel(catalog, id);
    return {
      id,
      checkpointPath: checkpointPathOf(entry, catalog, cacheDir),
      entry,
      imgRange: entry.imgRange,
    };
  };
  if (options.model !== undefined) {
    const handle: ModelHandle = looksLikeFile(options.model)
      ? {
          id: basename(options.model),
          checkpointPath: resolvePath(options.model),
          entry: undefined,
          imgRange: undefined,
        }
      : handleOf(options.model);
    const model = await loadModel(handle);
    return { primary: model, byScale: new Map([[model.config.upscale, model]]) };
  }
  // A checkpoint path never needs the catalog; everything below does.
  const catalog = catalogOf();
  const defaultId = catalog.defaults[options.task];
  if (defaultId === undefined) {
    const candidates = catalog.models.filter((m) => m.task === options.task).map((m) => m.id);
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `no default model for task "${options.task}"; pick one with --model (e.g. ${candidates.slice(0, 3).join(', ')}) ` +
        'after `swinup models pull <id>`',
    );
  }
  const primary = await loadModel(handleOf(defaultId));
  const byScale = new Map<number, LoadedModel>([[primary.config.upscale, primary]]);
  // Other installed models of the task can serve scales the default lacks (×8 as ×4 then ×2).
  for (const entry of catalog.models) {
    if (entry.task !== options.task || entry.scale <= 1 || byScale.has(entry.scale)) continue;
    if (isInstalled(entry, catalog, cacheDir)) byScale.set(entry.scale, await loadModel(handleOf(entry.id)));
  }
  return { primary, byScale };
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
  const catalogOf = () => loadCatalog({ modelsDir: resolved.modelsDir, catalog: resolved.catalog });
  const { primary, byScale } = await availableModels(resolved, catalogOf);
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
