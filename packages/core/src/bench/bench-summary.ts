import type { ConfigMeasurement, ImageTiming } from './measure-config.js';

/** Totals of a set of image timings. */
export interface Totals {
  readonly ms: number;
  readonly tiles: number;
  readonly outputPixels: number;
  /** Milliseconds per output megapixel. */
  readonly msPerOutputMp: number;
  readonly tilesPerSecond: number;
  /** Mean Y-PSNR over the images that have one (Set5), or undefined. */
  readonly set5Psnr: number | undefined;
}

/** Sums timings into the benchmark's headline numbers. */
export function totals(
  images: readonly Pick<ImageTiming, 'ms' | 'tiles' | 'outputPixels' | 'psnr'>[],
): Totals {
  const ms = images.reduce((s, i) => s + i.ms, 0);
  const tiles = images.reduce((s, i) => s + i.tiles, 0);
  const outputPixels = images.reduce((s, i) => s + i.outputPixels, 0);
  const scored = images.flatMap((i) => (i.psnr === undefined ? [] : [i.psnr]));
  return {
    ms,
    tiles,
    outputPixels,
    msPerOutputMp: ms / (outputPixels / 1e6),
    tilesPerSecond: tiles / (ms / 1000),
    set5Psnr: scored.length === 0 ? undefined : scored.reduce((s, p) => s + p, 0) / scored.length,
  };
}

/** How many times longer `other` took than `reference` on the same images (matched by name). */
export function timeRatio(
  other: readonly Pick<ImageTiming, 'image' | 'ms'>[],
  reference: ConfigMeasurement,
): number {
  const byName = new Map(reference.images.map((i) => [i.image, i.ms]));
  const matched = other.filter((i) => byName.has(i.image));
  const otherMs = matched.reduce((s, i) => s + i.ms, 0);
  const referenceMs = matched.reduce((s, i) => s + (byName.get(i.image) as number), 0);
  return otherMs / referenceMs;
}
