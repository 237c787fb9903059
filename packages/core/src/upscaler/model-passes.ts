import { compiledGraph } from '../cache/compiled-graphs.js';
import type { InputShape } from '../graph/swinir-graph.js';
import { clampUnit, planarSource } from '../image/pixel-planes.js';
import type { Logger } from '../logger.js';
import type { DeviceProfile } from '../runtime/device-profile.js';
import { createRunner } from '../runtime/onnx-session.js';
import { RunnerCache, type RunnerLease } from '../runtime/runner-cache.js';
import { createCpuRunner } from '../runtime/session-pool.js';
import type { PlanarImage } from '../tiling/tensor-layout.js';
import {
  countTiles,
  type TiledPassOptions,
  type TileRunner,
  type TileSource,
  upscaleTiled,
} from '../tiling/tiled-inference.js';
import type { LoadedModel } from './upscaler-types.js';

/**
 * Tile shapes whose sessions an upscaler keeps (each holds memory in every worker); images of other sizes
 * reopen sessions from the compiled-graph cache.
 */
const MAX_CACHED_SHAPES = 4;

/** The one mapping from a device layout and a model to a pass's tiling, for counting and for running. */
export function passTiling(profile: DeviceProfile, model: LoadedModel): TiledPassOptions {
  return {
    scale: model.config.upscale,
    window: model.config.window_size,
    tileSize: profile.tileSize,
    overlap: profile.tileOverlap,
    batch: profile.tilesPerRun,
    parallel: profile.sessions * profile.tilesPerRun,
  };
}

function padBatch(input: Float32Array, length: number): Float32Array {
  const padded = new Float32Array(length);
  padded.set(input);
  return padded;
}

/** Runs chains of model passes over tiles, keeping sessions for the most recently used tile shapes. */
export class ModelPasses {
  private readonly runners = new RunnerCache(MAX_CACHED_SHAPES);

  constructor(
    private readonly profile: () => DeviceProfile,
    private readonly cacheDir: string,
    private readonly logger: Logger,
  ) {}

  /** Tiles all passes of `models` will run over an image of `height`×`width`. */
  countTiles(height: number, width: number, models: readonly LoadedModel[]): number {
    let h = height;
    let w = width;
    let count = 0;
    for (const model of models) {
      count += countTiles(h, w, passTiling(this.profile(), model));
      h *= model.config.upscale;
      w *= model.config.upscale;
    }
    return count;
  }

  /** Runs every pass in order, each on the previous one's output. */
  async run(
    first: TileSource,
    models: readonly LoadedModel[],
    signal: AbortSignal | undefined,
    onTiles: (n: number) => void,
  ): Promise<PlanarImage> {
    let source = first;
    let result: PlanarImage | undefined;
    for (const model of models) {
      const tiling = { ...passTiling(this.profile(), model), signal, onTiles };
      result = clampUnit(await upscaleTiled(source, this.tileRunner(model), tiling));
      source = planarSource(result);
    }
    return result as PlanarImage;
  }

  /** Frees every session. */
  close(): Promise<void> {
    return this.runners.close();
  }

  private runner(model: LoadedModel, shape: InputShape): Promise<RunnerLease> {
    return this.runners.lease(`${model.handle.checkpointPath}|${shape.join('x')}`, async () => {
      const profile = this.profile();
      const { onnx } = await compiledGraph(model.handle, shape, this.cacheDir, profile);
      if (profile.provider === 'cpu') return createCpuRunner(onnx, profile);
      return createRunner(onnx, {
        device: profile.provider,
        threads: profile.threadsPerSession,
        logger: this.logger,
      });
    });
  }

  /** Runners for one model's tiles; a short last batch is padded to the graph's fixed batch size. */
  private tileRunner(model: LoadedModel): (h: number, w: number) => Promise<TileRunner> {
    return async (h, w) => {
      const batch = this.profile().tilesPerRun;
      const channels = model.config.in_chans;
      const { runner, done } = await this.runner(model, [batch, channels, h, w]);
      const length = batch * channels * h * w;
      return {
        parallelism: runner.parallelism,
        run: async (input, count) => {
          const out = await runner.run(input.length === length ? input : padBatch(input, length), [
            batch,
            channels,
            h,
            w,
          ]);
          return count === batch ? out : out.subarray(0, (out.length / batch) * count);
        },
        done,
      };
    };
  }
}
