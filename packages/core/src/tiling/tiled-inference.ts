import { SwinupError } from '../errors.js';
import type { PlanarImage } from './tensor-layout.js';
import { type AxisTiles, axisBlend, planTiles, type TilePlan } from './tile-grid.js';

/** Pixels a tiled pass reads: any image that can copy out a reflect-padded window as planar floats. */
export interface TileSource {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Writes the window at (top, left) of size h×w, CHW, into `out` at `offset`; outside positions reflect. */
  extract(top: number, left: number, h: number, w: number, out: Float32Array, offset: number): void;
}

/** Runs a model on batches of equally-sized tiles. */
export interface TileRunner {
  /** Runs that may be in flight at once (default 1). */
  readonly parallelism?: number;
  /** Runs `count` tiles (count × C × h × w) and returns count × C × h·scale × w·scale. */
  run(batch: Float32Array, count: number, h: number, w: number): Promise<Float32Array>;
  /** Called once when the pass no longer needs this runner. */
  readonly done?: () => void;
}

/** Settings of one tiled pass. */
export interface TiledPassOptions {
  readonly scale: number;
  readonly window: number;
  readonly tileSize: number;
  readonly overlap: number;
  /** Tiles only as large as their count needs (default true). */
  readonly shrinkTiles?: boolean;
  /** Tiles per model run. */
  readonly batch: number;
  /** Tiles that run at the same time (runs in flight × tiles per run), for the tile planner (default 1). */
  readonly parallel?: number;
  readonly signal?: AbortSignal | undefined;
  /** Called after each model run with the number of tiles it finished. */
  readonly onTiles?: ((done: number) => void) | undefined;
}

/** Settings that decide a pass's tiles. */
export type PassTiling = Pick<
  TiledPassOptions,
  'tileSize' | 'overlap' | 'window' | 'shrinkTiles' | 'parallel'
>;

/** The tiles a pass over a `height`×`width` image runs. */
export function passTiles(height: number, width: number, options: PassTiling): TilePlan {
  return planTiles(height, width, {
    tileSize: options.tileSize,
    overlap: options.overlap,
    window: options.window,
    shrink: options.shrinkTiles,
    parallel: options.parallel,
  });
}

/** Number of tiles a pass over a `height`×`width` image will run. */
export function countTiles(height: number, width: number, options: PassTiling) {
  const { rows, cols } = passTiles(height, width, options);
  return rows.starts.length * cols.starts.length;
}

/** Throws the abort error when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SwinupError('ABORTED', 'upscale was aborted; nothing was written');
}

/**
 * Upscales `source` tile by tile. Each tile's output is weighted by a smooth window that falls towards
 * edges shared with a neighbour, and the sum is normalised by the separable total weight.
 */
export async function upscaleTiled(
  source: TileSource,
  getRunner: (h: number, w: number) => Promise<TileRunner>,
  options: TiledPassOptions,
): Promise<PlanarImage> {
  const { rows, cols } = passTiles(source.height, source.width, options);
  const runner = await getRunner(rows.tile, cols.tile);
  try {
    return await runTiles(source, runner, rows, cols, options);
  } finally {
    runner.done?.();
  }
}

async function runTiles(
  source: TileSource,
  runner: TileRunner,
  rows: AxisTiles,
  cols: AxisTiles,
  options: TiledPassOptions,
): Promise<PlanarImage> {
  const { scale } = options;
  const rowBlend = axisBlend(rows, source.height, options.overlap, scale);
  const colBlend = axisBlend(cols, source.width, options.overlap, scale);
  const channels = source.channels;
  const outH = source.height * scale;
  const outW = source.width * scale;
  const output = new Float32Array(channels * outH * outW);
  const tileIn = channels * rows.tile * cols.tile;
  const tileOutH = rows.tile * scale;
  const tileOutW = cols.tile * scale;
  const tiles = rows.starts.flatMap((_, r) => cols.starts.map((_, c) => [r, c] as const));
  const groups: (readonly (readonly [number, number])[])[] = [];
  for (let first = 0; first < tiles.length; first += options.batch) {
    groups.push(tiles.slice(first, first + options.batch));
  }
  const runGroup = (group: readonly (readonly [number, number])[]) => {
    const input = new Float32Array(group.length * tileIn);
    group.forEach(([r, c], i) => {
      source.extract(
        rows.starts[r] as number,
        cols.starts[c] as number,
        rows.tile,
        cols.tile,
        input,
        i * tileIn,
      );
    });
    return runner.run(input, group.length, rows.tile, cols.tile);
  };
  const accumulate = (group: readonly (readonly [number, number])[], result: Float32Array) => {
    group.forEach(([r, c], i) => {
      const top = (rows.starts[r] as number) * scale;
      const left = (cols.starts[c] as number) * scale;
      const wy = rowBlend.weights[r] as Float32Array;
      const wx = colBlend.weights[c] as Float32Array;
      const h = Math.min(tileOutH, outH - top);
      const w = Math.min(tileOutW, outW - left);
      for (let ch = 0; ch < channels; ch++) {
        const tileBase = (i * channels + ch) * tileOutH * tileOutW;
        for (let y = 0; y < h; y++) {
          const weightY = wy[y] as number;
          const from = tileBase + y * tileOutW;
          const to = (ch * outH + top + y) * outW + left;
          for (let x = 0; x < w; x++)
            output[to + x] =
              (output[to + x] as number) + weightY * (wx[x] as number) * (result[from + x] as number);
        }
      }
    });
  };
  // Keep `parallelism` runs in flight, but add results in tile order so the float sums (and so the output)
  // do not depend on which run finishes first.
  const inFlight: Promise<Float32Array>[] = [];
  const depth = Math.max(1, runner.parallelism ?? 1);
  let next = 0;
  try {
    for (let done = 0; done < groups.length; done++) {
      while (next < groups.length && inFlight.length < depth) {
        throwIfAborted(options.signal);
        inFlight.push(runGroup(groups[next] as (readonly [number, number])[]));
        next++;
      }
      accumulate(
        groups[done] as (readonly [number, number])[],
        await (inFlight.shift() as Promise<Float32Array>),
      );
      options.onTiles?.((groups[done] as unknown[]).length);
    }
  } finally {
    // Runs still in flight after an error or abort must not surface as unhandled rejections.
    for (const pending of inFlight) pending.catch(() => undefined);
  }
  for (let ch = 0; ch < channels; ch++) {
    for (let y = 0; y < outH; y++) {
      const ty = rowBlend.totals[y] as number;
      const base = (ch * outH + y) * outW;
      for (let x = 0; x < outW; x++)
        output[base + x] = (output[base + x] as number) / (ty * (colBlend.totals[x] as number));
    }
  }
  return { channels, height: outH, width: outW, data: output };
}
