import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureQuality } from '../evaluation/quality-metrics.js';
import { decodeRgb8 } from '../io/image-codec.js';
import { deviceProfile } from '../runtime/device-profile.js';
import { temporaryFolder } from '../test-support/fixture-images.js';
import { sharedPath } from '../test-support/shared-data.js';
import { createUpscaler, type Upscaler } from '../upscaler/upscaler.js';
import { axisTiles } from './tile-grid.js';

process.env.SWINUP_CACHE ??= join(temporaryFolder('tiling'), 'cache');
// The CPU defaults are what users get, so they are what must not leave seams.
const { tileSize: TILE, tileOverlap: OVERLAP } = deviceProfile('cpu', {
  tileSize: undefined,
  tileOverlap: undefined,
  precision: 'auto',
  threads: 0,
  cores: 2,
});

type Rgb = { width: number; height: number; pixels: Uint8Array };

/** Output rows or columns where a tile starts or ends inside the image (image borders are not seams). */
function interiorBoundaries(length: number, outLength: number): Set<number> {
  const axis = axisTiles(length, TILE, OVERLAP, 8);
  const edges = axis.starts.flatMap((s) => [s * 4, (s + axis.tile) * 4 - 1]);
  return new Set(edges.filter((x) => x > 0 && x < outLength - 1));
}

/** Mean |tiled − whole| on tile-boundary rows/columns and elsewhere, with the evaluation's 4-px border cropped. */
function differenceAtBoundaries(a: Rgb, b: Rgb, cols: Set<number>, rows: Set<number>) {
  let atBoundary = 0;
  let boundaryCount = 0;
  let elsewhere = 0;
  let elsewhereCount = 0;
  for (let y = 4; y < a.height - 4; y++) {
    for (let x = 4; x < a.width - 4; x++) {
      for (let c = 0; c < 3; c++) {
        const p = (y * a.width + x) * 3 + c;
        const d = Math.abs((a.pixels[p] as number) - (b.pixels[p] as number));
        if (cols.has(x) || rows.has(y)) {
          atBoundary += d;
          boundaryCount++;
        } else {
          elsewhere += d;
          elsewhereCount++;
        }
      }
    }
  }
  return { atBoundary: atBoundary / boundaryCount, elsewhere: elsewhere / elsewhereCount };
}

/** Mean |difference| between horizontally adjacent pixels, split into tile-boundary columns and the rest. */
function columnSteps(image: Rgb, boundaries: Set<number>) {
  let atBoundary = 0;
  let boundaryCount = 0;
  let elsewhere = 0;
  let elsewhereCount = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x + 1 < image.width; x++) {
      let step = 0;
      for (let c = 0; c < 3; c++) {
        const p = (y * image.width + x) * 3 + c;
        step += Math.abs((image.pixels[p] as number) - (image.pixels[p + 3] as number));
      }
      if (boundaries.has(x + 1)) {
        atBoundary += step;
        boundaryCount++;
      } else {
        elsewhere += step;
        elsewhereCount++;
      }
    }
  }
  return { atBoundary: atBoundary / boundaryCount, elsewhere: elsewhere / elsewhereCount };
}

for (const precision of ['fp32', 'int8'] as const) {
  describe(`tiled inference matches whole-image inference on Set5 ×4 (${precision})`, () => {
    let tiled: Upscaler;
    let whole: Upscaler;
    beforeAll(async () => {
      tiled = await createUpscaler({ device: 'cpu', precision, tileSize: TILE, tileOverlap: OVERLAP });
      whole = await createUpscaler({ device: 'cpu', precision, tileSize: 0 });
    });
    afterAll(async () => {
      await tiled.close();
      await whole.close();
    });
    const lrDir = sharedPath('images/set5/LR_bicubic/X4');
    for (const file of readdirSync(lrDir)) {
      it(file, async () => {
        const name = file.replace('x4.png', '');
        const lrPath = join(lrDir, file);
        const lr = await decodeRgb8(readFileSync(lrPath));
        const hr = await decodeRgb8(readFileSync(sharedPath('images/set5/HR', `${name}.png`)));
        const a = await decodeRgb8((await tiled.upscale(lrPath, { format: 'png' })).data);
        const b = await decodeRgb8((await whole.upscale(lrPath, { format: 'png' })).data);
        const qa = measureQuality(a, hr, 4);
        const qb = measureQuality(b, hr, 4);
        expect(Math.abs(qa.psnr - qb.psnr)).toBeLessThanOrEqual(0.05);
        const cols = interiorBoundaries(lr.width, a.width);
        const rows = interiorBoundaries(lr.height, a.height);
        if (cols.size + rows.size === 0) return;
        const difference = differenceAtBoundaries(a, b, cols, rows);
        const steps =
          cols.size > 0 ? { tiled: columnSteps(a, cols), whole: columnSteps(b, cols) } : undefined;
        // No seam: tiled and whole-image outputs differ no more along tile edges than elsewhere (to within
        // 0.02 grey levels on average; a seam shows as whole grey levels)…
        expect(difference.atBoundary).toBeLessThanOrEqual(difference.elsewhere + 0.02);
        // …and the tiled output is no rougher across tile edges than the whole-image output is there.
        if (steps !== undefined)
          expect(steps.tiled.atBoundary).toBeLessThanOrEqual(steps.whole.atBoundary * 1.02 + 0.05);
      });
    }
  });
}
