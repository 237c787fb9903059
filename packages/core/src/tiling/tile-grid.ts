import { roundUpTo } from './tensor-layout.js';

/** Where tiles start along one axis, and their common length (a multiple of the model window). */
export interface AxisTiles {
  /** Tile length in input pixels. */
  readonly tile: number;
  /** Start of each tile; the last tile ends at the image edge, or past it (reflect-padded) for short axes. */
  readonly starts: readonly number[];
}

/**
 * Spreads tiles evenly over an axis so neighbours overlap by at least `overlap` pixels, as few tiles as
 * `tileSize` allows, each as short as that allows (rounded up to the window) so no work is spent on overlap
 * beyond what was asked. `tileSize` 0 (or an axis shorter than a tile) gives one tile covering the axis,
 * rounded up to the window. `shrink: false` keeps every tile at `tileSize` (how tiles were laid out before;
 * the benchmark's baseline).
 */
export function axisTiles(
  length: number,
  tileSize: number,
  overlap: number,
  window: number,
  shrink = true,
): AxisTiles {
  const whole = roundUpTo(length, window);
  const tile = tileSize === 0 ? whole : Math.min(roundUpTo(tileSize, window), whole);
  if (tile >= length) return { tile, starts: [0] };
  const count = Math.ceil((length - overlap) / (tile - overlap));
  return shrink ? axisTilesOfCount(length, count, overlap, window) : spread(length, tile, count);
}

/** `count` tiles over an axis, each as short as an overlap of `overlap` pixels allows (window-rounded). */
export function axisTilesOfCount(length: number, count: number, overlap: number, window: number): AxisTiles {
  const tile = roundUpTo(Math.ceil((length + (count - 1) * overlap) / count), window);
  return count === 1 || tile >= length
    ? { tile: roundUpTo(length, window), starts: [0] }
    : spread(length, tile, count);
}

function spread(length: number, tile: number, count: number): AxisTiles {
  const span = length - tile;
  return { tile, starts: Array.from({ length: count }, (_, i) => Math.round((i * span) / (count - 1))) };
}

/** Both axes' tiles of one image. */
export interface TilePlan {
  readonly rows: AxisTiles;
  readonly cols: AxisTiles;
}

/** How tiles of an image are chosen. */
export interface TilePlanOptions {
  /** Largest tile side (0: the whole image in one tile). */
  readonly tileSize: number;
  readonly overlap: number;
  readonly window: number;
  /** Tiles only as large as their count needs (default true); false: full-size tiles, fewest of them. */
  readonly shrink?: boolean | undefined;
  /** Tiles that run at the same time (sessions × tiles per run; default 1). */
  readonly parallel?: number | undefined;
}

/** Extra tiles per axis beyond the fewest that the planner considers. */
const EXTRA_TILES = 4;
/** Fixed cost of one tile (extraction, dispatch, per-operator overhead), in tile pixels. */
const TILE_COST_PIXELS = 1024;

/**
 * Chooses how many tiles each axis gets. Per-pixel cost is about flat over the tile sizes a device allows,
 * so the plan minimises the pixels of the slowest of `parallel` lanes: ceil(tiles / parallel) rounds of one
 * tile each. A small image is thus split so every lane has a tile (a 72-pixel square on 2 lanes becomes
 * two 72×40 tiles, not one 72² or four 40² tiles), and a 512-pixel side takes three 176-pixel tiles
 * rather than nine 64-pixel ones.
 */
export function planTiles(height: number, width: number, options: TilePlanOptions): TilePlan {
  const { tileSize, overlap, window } = options;
  const fewest = (length: number) => axisTiles(length, tileSize, overlap, window, options.shrink ?? true);
  if (options.shrink === false || tileSize === 0) return { rows: fewest(height), cols: fewest(width) };
  const parallel = Math.max(1, options.parallel ?? 1);
  const choices = (length: number): AxisTiles[] => {
    const first = fewest(length);
    const list = [first];
    for (let count = first.starts.length + 1; count <= first.starts.length + EXTRA_TILES; count++) {
      const next = axisTilesOfCount(length, count, overlap, window);
      if (next.starts.length < count || next.tile < 4 * overlap || next.tile < 2 * window) break;
      list.push(next);
    }
    return list;
  };
  let best: { plan: TilePlan; cost: number; tiles: number } | undefined;
  for (const rows of choices(height)) {
    for (const cols of choices(width)) {
      const tiles = rows.starts.length * cols.starts.length;
      const cost = Math.ceil(tiles / parallel) * (rows.tile * cols.tile + TILE_COST_PIXELS);
      if (best === undefined || cost < best.cost || (cost === best.cost && tiles < best.tiles)) {
        best = { plan: { rows, cols }, cost, tiles };
      }
    }
  }
  return (best as { plan: TilePlan }).plan;
}

/**
 * Blending weights along one axis of one tile's output: a raised-cosine ramp over the overlap on each side
 * that has a neighbour, 1 elsewhere. Weights never reach 0, so every pixel stays covered.
 */
export function blendRamp(
  outputLength: number,
  ramp: number,
  rampStart: boolean,
  rampEnd: boolean,
): Float32Array {
  const weights = new Float32Array(outputLength).fill(1);
  const n = Math.min(ramp, Math.floor(outputLength / 2));
  for (let k = 0; k < n; k++) {
    const w = 0.5 - 0.5 * Math.cos((Math.PI * (k + 0.5)) / n);
    if (rampStart) weights[k] = w;
    if (rampEnd) weights[outputLength - 1 - k] = w;
  }
  return weights;
}

/** The weights of every tile along an axis and, per output pixel, their sum (for normalisation). */
export interface AxisBlend {
  readonly weights: readonly Float32Array[];
  readonly totals: Float32Array;
}

/** Blending weights of all tiles of an axis, in output pixels (`scale` per input pixel). */
export function axisBlend(axis: AxisTiles, length: number, overlap: number, scale: number): AxisBlend {
  const outLength = length * scale;
  const totals = new Float32Array(outLength);
  const last = axis.starts.length - 1;
  const weights = axis.starts.map((start, i) => {
    const w = blendRamp(axis.tile * scale, overlap * scale, i > 0, i < last);
    const offset = start * scale;
    for (let k = 0; k < w.length && offset + k < outLength; k++)
      totals[offset + k] = (totals[offset + k] as number) + (w[k] as number);
    return w;
  });
  return { weights, totals };
}
