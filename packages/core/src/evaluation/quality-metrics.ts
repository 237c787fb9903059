/**
 * Image quality as the super-resolution literature reports it: PSNR and SSIM on the BT.601 luma (Y)
 * of 8-bit RGB images, with `border` pixels cropped from each side.
 */

/** An 8-bit interleaved RGB (or grey) image. */
export interface Rgb8Image {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly pixels: Uint8Array;
}

/** BT.601 luma in [16, 235] (as MATLAB's rgb2ycbcr) of every pixel, cropped by `border`. */
export function lumaPlane(
  image: Rgb8Image,
  border: number,
): { width: number; height: number; data: Float64Array } {
  const width = image.width - 2 * border;
  const height = image.height - 2 * border;
  const data = new Float64Array(Math.max(0, width * height));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = ((y + border) * image.width + x + border) * image.channels;
      if (image.channels < 3) {
        data[y * width + x] = image.pixels[p] as number;
        continue;
      }
      const r = (image.pixels[p] as number) / 255;
      const g = (image.pixels[p + 1] as number) / 255;
      const b = (image.pixels[p + 2] as number) / 255;
      data[y * width + x] = 16 + 65.481 * r + 128.553 * g + 24.966 * b;
    }
  }
  return { width, height, data };
}

/** PSNR in dB between two planes with peak 255. */
export function psnr(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    sum += d * d;
  }
  const mse = sum / a.length;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / mse);
}

function gaussianKernel(size: number, sigma: number): Float64Array {
  const k = new Float64Array(size);
  const half = (size - 1) / 2;
  let total = 0;
  for (let i = 0; i < size; i++) {
    k[i] = Math.exp(-((i - half) ** 2) / (2 * sigma * sigma));
    total += k[i] as number;
  }
  return k.map((v) => v / total);
}

/** 'valid' separable filtering with a 1-D kernel along both axes. */
function filterValid(plane: Float64Array, width: number, height: number, kernel: Float64Array) {
  const n = kernel.length;
  const w1 = width - n + 1;
  const h1 = height - n + 1;
  const horizontal = new Float64Array(w1 * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < w1; x++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (kernel[k] as number) * (plane[y * width + x + k] as number);
      horizontal[y * w1 + x] = s;
    }
  }
  const out = new Float64Array(w1 * h1);
  for (let y = 0; y < h1; y++) {
    for (let x = 0; x < w1; x++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (kernel[k] as number) * (horizontal[(y + k) * w1 + x] as number);
      out[y * w1 + x] = s;
    }
  }
  return out;
}

/** SSIM with an 11×11 Gaussian window (σ 1.5), 'valid' borders, as the SwinIR/BasicSR evaluation code. */
export function ssim(a: Float64Array, b: Float64Array, width: number, height: number): number {
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const kernel = gaussianKernel(11, 1.5);
  const f = (p: Float64Array) => filterValid(p, width, height, kernel);
  const muA = f(a);
  const muB = f(b);
  const aa = f(a.map((v) => v * v));
  const bb = f(b.map((v) => v * v));
  const ab = f(a.map((v, i) => v * (b[i] as number)));
  let total = 0;
  for (let i = 0; i < muA.length; i++) {
    const ma = muA[i] as number;
    const mb = muB[i] as number;
    const va = (aa[i] as number) - ma * ma;
    const vb = (bb[i] as number) - mb * mb;
    const cov = (ab[i] as number) - ma * mb;
    total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
  }
  return total / muA.length;
}

/** Y-PSNR and Y-SSIM of `output` against `reference` (same size), `border` pixels cropped. */
export function measureQuality(
  output: Rgb8Image,
  reference: Rgb8Image,
  border: number,
): { psnr: number; ssim: number } {
  const a = lumaPlane(output, border);
  const b = lumaPlane(reference, border);
  return { psnr: psnr(a.data, b.data), ssim: ssim(a.data, b.data, a.width, a.height) };
}
