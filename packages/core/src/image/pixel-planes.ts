import { extractReflectedInto, type PlanarImage, reflectIndex } from '../tiling/tensor-layout.js';
import type { TileSource } from '../tiling/tiled-inference.js';

/** Decoded pixels, interleaved (HWC), 8 or 16 bits per sample. */
export interface InterleavedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly depth: 8 | 16;
  readonly pixels: Uint8Array | Uint16Array;
}

/** The largest sample value of a bit depth. */
export function maxSample(depth: 8 | 16): number {
  return depth === 16 ? 65535 : 255;
}

/**
 * A tile source over interleaved pixels, normalised to [0, 1]. `channelMap` picks the sample each model
 * channel reads, e.g. [0, 0, 0] feeds a grey image (or [3, 3, 3] an alpha channel) to an RGB model.
 */
export function interleavedSource(image: InterleavedImage, channelMap: readonly number[]): TileSource {
  const scale = 1 / maxSample(image.depth);
  const { width, height, channels, pixels } = image;
  return {
    channels: channelMap.length,
    height,
    width,
    extract(top, left, h, w, out, offset) {
      const columns = Int32Array.from({ length: w }, (_, x) => reflectIndex(left + x, width) * channels);
      channelMap.forEach((sample, c) => {
        for (let y = 0; y < h; y++) {
          const row = reflectIndex(top + y, height) * width * channels + sample;
          const target = offset + (c * h + y) * w;
          for (let x = 0; x < w; x++)
            out[target + x] = (pixels[row + (columns[x] as number)] as number) * scale;
        }
      });
    },
  };
}

/** A tile source over a planar float image (the output of an earlier pass). */
export function planarSource(image: PlanarImage): TileSource {
  return {
    channels: image.channels,
    height: image.height,
    width: image.width,
    extract: (top, left, h, w, out, offset) => extractReflectedInto(image, top, left, h, w, out, offset),
  };
}

/** Clamps every value of a planar image to [0, 1] in place (model outputs overshoot slightly). */
export function clampUnit(image: PlanarImage): PlanarImage {
  const d = image.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.min(1, Math.max(0, d[i] as number));
  return image;
}

/**
 * Quantises planar float channels into one interleaved image. Each output channel is the mean of the
 * planes listed for it: RGB → [[0],[1],[2]], RGB → grey [[0,1,2]], plus e.g. an alpha plane.
 */
export function toInterleaved(
  planes: readonly { image: PlanarImage; channels: readonly number[] }[],
  depth: 8 | 16,
): InterleavedImage {
  const first = planes[0]?.image;
  if (first === undefined) throw new Error('toInterleaved needs at least one plane');
  const { width, height } = first;
  const channels = planes.length;
  const max = maxSample(depth);
  const pixels =
    depth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  const area = width * height;
  planes.forEach(({ image, channels: picks }, c) => {
    const weight = 1 / picks.length;
    for (let p = 0; p < area; p++) {
      let sum = 0;
      for (const pick of picks) sum += image.data[pick * area + p] as number;
      const v = sum * weight;
      pixels[p * channels + c] = Math.round(Math.min(1, Math.max(0, v)) * max);
    }
  });
  return { width, height, channels, depth, pixels };
}

/**
 * Gives fully transparent pixels the colour of their nearest visible neighbours (pull-push over an image
 * pyramid), so enlarging the colour channels does not pull black fringes in from invisible pixels.
 * Returns a copy; alpha is the last channel.
 */
export function bleedTransparentColour(image: InterleavedImage): InterleavedImage {
  const { width, height, channels } = image;
  const colourChannels = channels - 1;
  const visible = new Float32Array(width * height);
  const colour = new Float32Array(width * height * colourChannels);
  for (let p = 0; p < width * height; p++) {
    if ((image.pixels[p * channels + colourChannels] as number) > 0) {
      visible[p] = 1;
      for (let c = 0; c < colourChannels; c++)
        colour[p * colourChannels + c] = image.pixels[p * channels + c] as number;
    }
  }
  const filled = pullPush(colour, visible, width, height, colourChannels);
  const pixels = image.pixels.slice();
  for (let p = 0; p < width * height; p++) {
    if (visible[p] === 0) {
      for (let c = 0; c < colourChannels; c++)
        pixels[p * channels + c] = Math.round(filled[p * colourChannels + c] as number);
    }
  }
  return { ...image, pixels };
}

/** Fills pixels whose coverage is 0 from coarser pyramid levels (weighted averages of covered pixels). */
function pullPush(
  colour: Float32Array,
  coverage: Float32Array,
  w: number,
  h: number,
  n: number,
): Float32Array {
  if (w === 1 && h === 1) return colour;
  const cw = Math.ceil(w / 2);
  const ch = Math.ceil(h / 2);
  const coarseColour = new Float32Array(cw * ch * n);
  const coarseCoverage = new Float32Array(cw * ch);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const cov = coverage[p] as number;
      if (cov === 0) continue;
      const q = (y >> 1) * cw + (x >> 1);
      coarseCoverage[q] = (coarseCoverage[q] as number) + cov;
      for (let c = 0; c < n; c++)
        coarseColour[q * n + c] = (coarseColour[q * n + c] as number) + (colour[p * n + c] as number) * cov;
    }
  }
  for (let q = 0; q < cw * ch; q++) {
    const cov = coarseCoverage[q] as number;
    if (cov > 0)
      for (let c = 0; c < n; c++) coarseColour[q * n + c] = (coarseColour[q * n + c] as number) / cov;
    coarseCoverage[q] = Math.min(1, cov);
  }
  const coarse = pullPush(coarseColour, coarseCoverage, cw, ch, n);
  const out = colour.slice();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if ((coverage[p] as number) > 0) continue;
      const q = (y >> 1) * cw + (x >> 1);
      for (let c = 0; c < n; c++) out[p * n + c] = coarse[q * n + c] as number;
    }
  }
  return out;
}
