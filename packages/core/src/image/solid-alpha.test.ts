import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpscaler, type Upscaler } from '../index.js';
import { decodeImage, inspectImage } from '../io/image-codec.js';
import { temporaryFolder } from '../test-support/fixture-images.js';
import { type InterleavedImage, maxSample } from './pixel-planes.js';
import { keepSolidAlpha } from './solid-alpha.js';

function grey(width: number, height: number, value: (x: number, y: number) => number): InterleavedImage {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = value(x, y);
  return { width, height, channels: 1, depth: 8, pixels };
}

describe('keepSolidAlpha', () => {
  it('restores flat alpha exactly and leaves edges alone', () => {
    // Left half transparent, right half opaque; the "enlarged" ×2 result is lifted everywhere by 7.
    const source = grey(12, 4, (x) => (x < 6 ? 0 : 255));
    const result = grey(24, 8, (x) => (x < 12 ? 7 : 248));
    const rgba = { ...result, channels: 2, pixels: new Uint8Array(24 * 8 * 2) };
    for (const [p, a] of result.pixels.entries()) rgba.pixels.set([99, a], p * 2);
    keepSolidAlpha(rgba, source);
    const alphaAt = (x: number, y: number) => rgba.pixels[(y * 24 + x) * 2 + 1];
    for (let y = 0; y < 8; y++) {
      for (const x of [0, 3, 7]) expect(alphaAt(x, y)).toBe(0);
      for (const x of [16, 20, 23]) expect(alphaAt(x, y)).toBe(255);
      // Within 2 source pixels of the edge the enlarged values stay.
      for (const x of [8, 11]) expect(alphaAt(x, y)).toBe(7);
      for (const x of [12, 15]) expect(alphaAt(x, y)).toBe(248);
    }
    // Colour is never touched.
    for (let p = 0; p < 24 * 8; p++) expect(rgba.pixels[p * 2]).toBe(99);
  });

  it('keeps a flat translucent level and converts between depths', () => {
    const source = { ...grey(4, 4, () => 0), depth: 16 as const, pixels: new Uint16Array(16).fill(32896) };
    const result = grey(8, 8, () => 120);
    keepSolidAlpha(result, source);
    expect([...new Set(result.pixels)]).toEqual([128]);
  });
});

const SVG = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24">${body}</svg>`;
const disc = '<circle cx="12" cy="12" r="6" fill="#c33"/>';

describe('alpha through the upscaler', () => {
  const work = temporaryFolder('solid-alpha');
  let upscaler: Upscaler;
  beforeAll(async () => {
    upscaler = await createUpscaler({ device: 'cpu', cacheDir: join(work, 'cache'), tileSize: 48 });
  });
  afterAll(() => upscaler?.close());

  const svg = (body: string) =>
    sharp(Buffer.from(SVG(body)))
      .png()
      .toBuffer();
  /** The result's alpha as 0–1, read back with the codec the pipeline uses (at 8 or 16 bits). */
  const alphaOf = async (data: Buffer) => {
    const image = await decodeImage(await inspectImage(data));
    const max = maxSample(image.depth);
    const alpha = Array.from({ length: image.width * image.height }, (_, p) => {
      return (image.pixels[(p + 1) * image.channels - 1] as number) / max;
    });
    return { width: image.width, depth: image.depth, alpha };
  };

  it.each(['model', 'lanczos'] as const)(
    'keeps a fully transparent SVG at 0 and an opaque one at 255 (%s)',
    async (mode) => {
      for (const [body, expected] of [
        ['', 0],
        ['<rect width="24" height="24" fill="#3a7"/>', 255],
      ] as const) {
        const source = await svg(body);
        expect((await sharp(source).metadata()).hasAlpha).toBe(true);
        const { data, info } = await upscaler.upscale(source, { alpha: mode });
        expect([info.width, info.height]).toEqual([96, 96]);
        const { alpha } = await alphaOf(data);
        expect([Math.min(...alpha), Math.max(...alpha)], `${mode} ${body || 'empty'}`).toEqual([
          expected / 255,
          expected / 255,
        ]);
      }
    },
  );

  it.each(['srgb', 'rgb16', 'grey16'] as const)(
    'keeps a shape on a transparent background clean away from its edge, soft on it (%s)',
    async (space) => {
      const source = await sharp(Buffer.from(SVG(disc)))
        .toColourspace(space)
        .png()
        .toBuffer();
      const { data } = await upscaler.upscale(source, { width: 60 });
      const { width, depth, alpha } = await alphaOf(data);
      expect(depth).toBe(space === 'srgb' ? 8 : 16);
      const at = (x: number, y: number) => alpha[y * width + x] as number;
      const farFromTheDisc = [
        [0, 0],
        [59, 0],
        [5, 30],
        [30, 55],
      ] as const;
      for (const [x, y] of farFromTheDisc) expect(at(x, y), `(${x}, ${y})`).toBe(0);
      expect(at(30, 30)).toBe(1);
      expect(alpha.some((a) => a > 0 && a < 1)).toBe(true);
    },
  );
});
