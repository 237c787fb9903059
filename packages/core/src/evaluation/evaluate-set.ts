import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { SwinupError } from '../errors.js';
import { decodeRgb8 } from '../io/image-codec.js';
import type { UpscaleResult, Upscaler } from '../upscaler/upscaler.js';
import { matlabBicubicUpscale } from './matlab-bicubic.js';
import { measureQuality, type Rgb8Image } from './quality-metrics.js';

/** Quality of one image. */
export interface ImageScore {
  readonly name: string;
  readonly psnr: number;
  readonly ssim: number;
}

/** Scores of a set, per image and mean. */
export interface SetScore {
  /** What made the outputs: `bicubic`, or the models that ran (`swinup-s-x4, then Lanczos` when they overshoot). */
  readonly method: string;
  readonly scale: number;
  readonly images: readonly ImageScore[];
  readonly meanPsnr: number;
  readonly meanSsim: number;
}

/** Pairs each HR image with its LR input: `baby.png` ↔ `babyx4.png` (or the same name). */
export async function pairImages(
  hrDir: string,
  lrDir: string,
  scale: number,
): Promise<{ name: string; hr: string; lr: string }[]> {
  const listing = async (dir: string) => {
    try {
      return (await readdir(dir)).filter((f) => /\.(png|bmp|jpe?g|tiff?|webp)$/i.test(f)).sort();
    } catch (error) {
      throw new SwinupError('INVALID_OPTION', `cannot read folder ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  const lrFiles = await listing(lrDir);
  const pairs = (await listing(hrDir)).flatMap((hr) => {
    const stem = basename(hr, extname(hr));
    const lr = lrFiles.find((f) => {
      const s = basename(f, extname(f));
      return s === stem || s === `${stem}x${scale}` || s === `${stem}_x${scale}`;
    });
    return lr === undefined ? [] : [{ name: stem, hr: join(hrDir, hr), lr: join(lrDir, lr) }];
  });
  if (pairs.length === 0)
    throw new SwinupError('INVALID_OPTION', `no HR/LR image pairs found in ${hrDir} and ${lrDir}`);
  return pairs;
}

/** Crops an image to its top-left `width`×`height` (the HR "modcrop" to a multiple of the scale). */
function cropTo(image: Rgb8Image, width: number, height: number): Rgb8Image {
  if (image.width === width && image.height === height) return image;
  const pixels = new Uint8Array(width * height * image.channels);
  for (let y = 0; y < height; y++) {
    const from = y * image.width * image.channels;
    pixels.set(image.pixels.subarray(from, from + width * image.channels), y * width * image.channels);
  }
  return { width, height, channels: image.channels, pixels };
}

/** The models behind an output, as the upscaler ran them for this scale (not the upscaler's default model). */
function describeRun(info: UpscaleResult['info'], scale: number): string {
  const chain = info.models.join(' + ');
  return info.passes.reduce((product, pass) => product * pass, 1) === scale
    ? chain
    : `${chain}, then Lanczos`;
}

/** Evaluates a method (a swinup upscaler, or MATLAB bicubic when `upscaler` is undefined) on a set. */
export async function evaluateSet(
  pairs: readonly { name: string; hr: string; lr: string }[],
  scale: number,
  upscaler: Upscaler | undefined,
): Promise<SetScore> {
  const images: ImageScore[] = [];
  let method = 'bicubic';
  for (const pair of pairs) {
    const lr = await decodeRgb8(await readFile(pair.lr));
    let output: Rgb8Image;
    if (upscaler === undefined) {
      output = {
        ...lr,
        width: lr.width * scale,
        height: lr.height * scale,
        pixels: matlabBicubicUpscale(lr.pixels, lr.width, lr.height, 3, scale),
      };
    } else {
      const result = await upscaler.upscale(pair.lr, { scale, format: 'png', keepMetadata: false });
      output = await decodeRgb8(result.data);
      method = describeRun(result.info, scale);
    }
    const hr = cropTo(await decodeRgb8(await readFile(pair.hr)), output.width, output.height);
    images.push({ name: pair.name, ...measureQuality(output, hr, scale) });
  }
  const mean = (key: 'psnr' | 'ssim') => images.reduce((s, i) => s + i[key], 0) / images.length;
  return {
    method,
    scale,
    images,
    meanPsnr: mean('psnr'),
    meanSsim: mean('ssim'),
  };
}
