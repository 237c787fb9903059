import type { SwinIRConfig } from '../graph/swinir-config.js';
import type { ImageInput } from '../io/image-codec.js';
import type { ModelHandle } from '../models/model-layout.js';
import type { UpscaleOptions } from '../options.js';
import type { ExecutionProviderName } from '../runtime/execution-provider.js';

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

/** A model whose checkpoint was read: its handle and the architecture inferred from its tensors. */
export interface LoadedModel {
  readonly handle: ModelHandle;
  readonly config: SwinIRConfig;
}
