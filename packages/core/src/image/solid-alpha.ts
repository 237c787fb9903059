import { type InterleavedImage, maxSample } from './pixel-planes.js';

/**
 * Source pixels around each output pixel whose alpha must all agree for the output to take that alpha
 * exactly: 2 keeps the model's and Lanczos's work on edges (their kernels reach about 2 source pixels)
 * while flat areas stay flat.
 */
const SOLID_RADIUS = 2;

/** Smallest and largest value within `radius` of each pixel, borders clamped (separable, rows then columns). */
function windowRange(
  values: ArrayLike<number>,
  width: number,
  height: number,
  radius: number,
): { min: Float64Array; max: Float64Array } {
  const pass = (input: { min: ArrayLike<number>; max: ArrayLike<number> }, horizontal: boolean) => {
    const min = new Float64Array(width * height);
    const max = new Float64Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const along = horizontal ? x : y;
        const length = horizontal ? width : height;
        let low = Number.POSITIVE_INFINITY;
        let high = Number.NEGATIVE_INFINITY;
        for (let k = Math.max(0, along - radius); k <= Math.min(length - 1, along + radius); k++) {
          const q = horizontal ? y * width + k : k * width + x;
          low = Math.min(low, input.min[q] as number);
          high = Math.max(high, input.max[q] as number);
        }
        min[y * width + x] = low;
        max[y * width + x] = high;
      }
    }
    return { min, max };
  };
  return pass(pass({ min: values, max: values }, true), false);
}

/**
 * Gives each output pixel exactly the source's alpha where that alpha is the same all around the source
 * pixel it comes from (within {@link SOLID_RADIUS}). Enlarging alpha as a grey image lifts flat areas by
 * a few levels (a fully transparent image came out with alpha up to 19/255, an opaque one down to 243),
 * and Lanczos rings near edges; so fully transparent stays 0, fully opaque stays the maximum, and a flat
 * translucent area keeps its level, while edges keep the enlarged values.
 *
 * @param result - the enlarged image, alpha last; changed in place and returned.
 * @param source - the decoded source, alpha last (or its alpha alone), upright like `result`, at its own depth.
 */
export function keepSolidAlpha(result: InterleavedImage, source: InterleavedImage): InterleavedImage {
  const { width: sw, height: sh } = source;
  const unit = 1 / maxSample(source.depth);
  const alpha = new Float64Array(sw * sh);
  for (let p = 0; p < sw * sh; p++)
    alpha[p] = (source.pixels[(p + 1) * source.channels - 1] as number) * unit;
  const { min, max } = windowRange(alpha, sw, sh, SOLID_RADIUS);
  const { width, height, channels, pixels } = result;
  const top = maxSample(result.depth);
  for (let y = 0; y < height; y++) {
    // The source pixel whose area holds the output pixel's centre.
    const sy = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / width));
      const q = sy * sw + sx;
      if (min[q] === max[q])
        pixels[(y * width + x) * channels + channels - 1] = Math.round((min[q] as number) * top);
    }
  }
  return result;
}
