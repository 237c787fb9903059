import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwinupError } from '../errors.js';
import { inspect, makeFixtureImages, temporaryFolder } from '../test-support/fixture-images.js';
import { sharedPath } from '../test-support/shared-data.js';
import { createUpscaler, type Upscaler } from './upscaler.js';

const work = temporaryFolder('pipeline');
process.env.SWINUP_CACHE = join(work, 'cache');
const warnings: string[] = [];
const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m) };
let upscaler: Upscaler;
let images: Awaited<ReturnType<typeof makeFixtureImages>>;

beforeAll(async () => {
  images = await makeFixtureImages(work);
  upscaler = await createUpscaler({ device: 'cpu', logger });
});
afterAll(() => upscaler.close());

describe('image handling', () => {
  it('upscales with the bundled ×4 model by default', async () => {
    const { info } = await upscaler.upscale(images.webp);
    expect(info).toMatchObject({
      width: 192,
      height: 160,
      format: 'webp',
      passes: [4],
      models: ['swinup-s-x4'],
    });
  });

  it.each(['model', 'lanczos'] as const)('keeps alpha (%s) without dark fringes', async (alpha) => {
    const { data } = await upscaler.upscale(images.alpha, { alpha });
    const { info, pixels } = await inspect(data);
    expect([info.width, info.height, info.channels]).toEqual([160, 160, 4]);
    let visible = 0;
    for (let p = 0; p < pixels.length; p += 4) {
      if ((pixels[p + 3] as number) < 128) continue;
      visible++;
      // The disc is #ffd040; a black fringe would drag red and green down at its edge.
      expect(pixels[p] as number).toBeGreaterThan(200);
      expect(pixels[p + 1] as number).toBeGreaterThan(160);
    }
    // The disc's radius is 14 px, 56 px after ×4.
    expect(visible).toBeGreaterThan(Math.PI * 56 * 56 * 0.9);
  });

  it('keeps a CMYK JPEG in CMYK with its ICC profile', async () => {
    const { data, info } = await upscaler.upscale(images.cmyk);
    const { meta } = await inspect(data);
    expect(info).toMatchObject({ width: 192, height: 160, format: 'jpeg' });
    expect(meta.space).toBe('cmyk');
    expect(meta.icc?.length).toBeGreaterThan(100_000);
  });

  it('applies EXIF orientation and keeps the other EXIF fields, unless asked to strip', async () => {
    const kept = await inspect((await upscaler.upscale(images.rotated)).data);
    expect([kept.meta.width, kept.meta.height]).toEqual([160, 192]);
    expect(kept.meta.orientation ?? 1).toBe(1);
    expect(kept.meta.exif?.toString('latin1')).toContain('swinup tests');
    const stripped = await inspect((await upscaler.upscale(images.rotated, { keepMetadata: false })).data);
    expect([stripped.meta.width, stripped.meta.height]).toEqual([160, 192]);
    expect(stripped.meta.exif).toBeUndefined();
  });

  it('keeps greyscale as greyscale', async () => {
    const { data, info } = await upscaler.upscale(images.grey);
    const { meta } = await inspect(data);
    expect(info.channels).toBe(1);
    expect([meta.width, meta.height, meta.channels, meta.space]).toEqual([192, 160, 1, 'b-w']);
  });

  it('keeps 16-bit PNG at 16 bits', async () => {
    const { data, info } = await upscaler.upscale(images.sixteen);
    const { meta } = await inspect(data);
    expect(info.depth).toBe(16);
    expect([meta.width, meta.height, meta.depth]).toEqual([192, 160, 'ushort']);
  });

  it('upscales the first frame of an animation, warns, and writes PNG', async () => {
    warnings.length = 0;
    const { info } = await upscaler.upscale(images.gif);
    expect(info).toMatchObject({ width: 96, height: 64, format: 'png' });
    expect(warnings.join()).toMatch(/animated image with 2 frames: only the first is upscaled/);
  });

  it.each([
    [{ scale: 2 }, [96, 80], [2]],
    [{ scale: 8 }, [384, 320], [4, 2]],
    [{ width: 100 }, [100, 83], [4]],
    [{ height: 100 }, [120, 100], [4]],
  ])('reaches %o with the bundled ×4 and ×2 models, then a Lanczos resize', async (options, size, passes) => {
    const { info } = await upscaler.upscale(images.webp, options);
    expect([info.width, info.height]).toEqual(size);
    expect(info.passes).toEqual(passes);
  });

  it('upscales every real-world photo in ../shared/images/realsr', async () => {
    const dir = sharedPath('images/realsr');
    for (const name of readdirSync(dir)) {
      const source = await inspect(join(dir, name));
      const { data, info } = await upscaler.upscale(join(dir, name));
      const out = await inspect(data);
      expect([out.meta.width, out.meta.height], name).toEqual([
        (source.meta.width as number) * 4,
        (source.meta.height as number) * 4,
      ]);
      expect(out.meta.format, name).toBe(source.meta.format);
      expect(info.channels, name).toBe(source.meta.channels);
    }
  }, 900_000);
});

describe('limits, files and errors', () => {
  it('refuses an image whose output would pass the pixel limit before decoding it', async () => {
    const before = upscaler.stats.inferences;
    await expect(upscaler.upscale(images.huge)).rejects.toThrow(/100000×100000.*over the limit of 100\.0 MP/);
    expect(upscaler.stats.inferences).toBe(before);
  });

  it.each([
    ['truncated', /damaged or truncated/],
    ['text', /not a readable image \(expected PNG, JPEG, WebP, AVIF, TIFF or GIF\)/],
    ['empty', /file is empty \(0 bytes\)/],
  ] as const)('explains a %s input', async (name, message) => {
    const error = await upscaler.upscale(images[name]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwinupError);
    expect((error as SwinupError).code).toBe('INVALID_IMAGE');
    expect((error as Error).message).toMatch(message);
  });

  it('writes atomically, refuses to overwrite, and leaves nothing behind on failure', async () => {
    const out = join(work, 'written', 'photo_x4.webp');
    const dir = join(work, 'written');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    await upscaler.upscaleToFile(images.webp, out);
    await expect(upscaler.upscaleToFile(images.webp, out)).rejects.toThrow(/exists; pass overwrite/);
    await expect(upscaler.upscaleToFile(images.webp, images.webp)).rejects.toThrow(/is the input file/);
    await expect(upscaler.upscaleToFile(images.truncated, join(dir, 'broken.png'))).rejects.toThrow(
      SwinupError,
    );
    await expect(upscaler.upscaleToFile(images.webp, '/proc/swinup/out.png')).rejects.toThrow(
      /cannot write \/proc\/swinup\/out\.png/,
    );
    expect(readdirSync(dir)).toEqual(['photo_x4.webp']);
  });

  it('stops within one tile when aborted and writes nothing', async () => {
    const small = await createUpscaler({ device: 'cpu', tileSize: 32, tileOverlap: 8 });
    const controller = new AbortController();
    let seen = 0;
    let doneAtAbort = 0;
    const out = join(work, 'aborted.png');
    const run = small.upscaleToFile(sharedPath('images/set5/LR_bicubic/X4/babyx4.png'), out, {
      signal: controller.signal,
      onProgress: ({ tilesDone }) => {
        seen = tilesDone;
        if (tilesDone === 2) {
          doneAtAbort = tilesDone;
          controller.abort();
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(doneAtAbort).toBe(2);
    expect(seen).toBe(2);
    expect(existsSync(out)).toBe(false);
    await small.close();
  });
});

describe('execution providers', () => {
  // Deterministic CPU-only and CUDA cases are in runtime/device-choice.test.ts; these hold on any machine.
  it('auto says where it runs in one info line and never warns', async () => {
    const seen = { info: [] as string[], warn: [] as string[] };
    const auto = await createUpscaler({
      device: 'auto',
      logger: { debug() {}, info: (m) => seen.info.push(m), warn: (m) => seen.warn.push(m) },
    });
    expect(seen.warn).toEqual([]);
    expect(seen.info).toHaveLength(1);
    expect(seen.info[0]).toMatch(new RegExp(`^inference runs on ${auto.device}\\b`));
    await auto.close();
  });

  it('cuda runs there or fails with the install hint, never falling back', async () => {
    const outcome = await createUpscaler({ device: 'cuda' }).catch((e: unknown) => e as SwinupError);
    if (outcome instanceof Error) {
      expect(outcome.code).toBe('DEVICE_UNAVAILABLE');
      expect(outcome.message).toMatch(/npm install-scripts approve onnxruntime-node/);
      expect(outcome.message).toMatch(/nvidia-smi/);
    } else {
      expect(outcome.device).toBe('cuda');
      await outcome.close();
    }
  });
});
