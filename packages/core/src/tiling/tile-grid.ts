import { roundUpTo } from './tensor-layout.js';

/** Where tiles start along one axis, and their common length (a multiple of the model window). */
export interface AxisTiles {
  /** Tile length in input pixels. */
  readonly tile: number;
  /** Start of each tile; the last tile ends at the image edge, or past it (reflect-padded) for short axes. */
  readonly starts: readonly number[];
}

/**
 * Spreads tiles evenly over an axis so neighbours overlap by at least `overlap` pixels, each tile as short as
 * that allows (rounded up to the window) so no work is spent on overlap beyond what was asked.
 * `tileSize` 0 (or an axis shorter than a tile) gives one tile covering the axis, rounded up to the window.
 * `shrink: false` keeps every tile at `tileSize` (how tiles were laid out before; the benchmark's baseline).
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
  // Shrink the tiles to what `count` of them need: a 140-pixel side is two 80-pixel tiles, not two 128s.
  // (`shrink: false` keeps full-size tiles: the benchmark's "before" layout.)
  const needed = shrink
    ? Math.min(tile, roundUpTo(Math.ceil((length + (count - 1) * overlap) / count), window))
    : tile;
  const span = length - needed;
  if (span <= 0) return { tile: needed, starts: [0] };
  return {
    tile: needed,
    starts: Array.from({ length: count }, (_, i) => Math.round((i * span) / (count - 1))),
  };
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
