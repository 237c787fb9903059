import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundUpTo } from './tensor-layout.js';
import { type AxisTiles, axisBlend, planTiles } from './tile-grid.js';
import { countTiles, passTiles } from './tiled-inference.js';

/** Tiles of one axis start at 0, cover every pixel, overlap their neighbours enough and stay in bounds. */
function expectSoundAxis(axis: AxisTiles, length: number, tileSize: number, overlap: number, window: number) {
  const { tile, starts } = axis;
  expect(tile % window, 'tile is whole windows').toBe(0);
  if (tileSize === 0) expect(tile).toBe(roundUpTo(length, window));
  else expect(tile).toBeLessThanOrEqual(roundUpTo(tileSize, window));
  expect(starts[0]).toBe(0);
  // Several tiles lie inside the image; a single one may reach past it (reflect-padded).
  if (starts.length > 1) expect(starts.every((s) => Number.isInteger(s) && s + tile <= length)).toBe(true);
  else expect(tile).toBeGreaterThanOrEqual(length);
  for (let i = 1; i < starts.length; i++)
    expect((starts[i - 1] as number) + tile - (starts[i] as number), 'overlap').toBeGreaterThanOrEqual(
      overlap,
    );
  const covered = new Uint8Array(length);
  for (const s of starts) covered.fill(1, s, Math.min(length, s + tile));
  expect(covered.indexOf(0), 'first uncovered pixel').toBe(-1);
  // Every output pixel gets a positive blend weight, so normalising never divides by zero.
  const { totals } = axisBlend(axis, length, overlap, 2);
  expect(totals.every((t) => t > 0 && Number.isFinite(t))).toBe(true);
}

describe('tile planner', () => {
  it('covers every pixel with whole-window tiles no larger than asked, overlapping as asked', () => {
    const tiling = fc
      .record({
        height: fc.integer({ min: 1, max: 1200 }),
        width: fc.integer({ min: 1, max: 1200 }),
        window: fc.constantFrom(4, 8, 16),
        tileSize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 512 })),
        parallel: fc.integer({ min: 1, max: 8 }),
        shrinkTiles: fc.option(fc.boolean(), { nil: undefined }),
        overlapShare: fc.double({ min: 0, max: 1, noNaN: true }),
      })
      // As resolveUpscalerOptions allows: an overlap under half the tile size.
      .map(({ overlapShare, ...rest }) => ({
        ...rest,
        overlap: Math.floor(overlapShare * (rest.tileSize === 0 ? 64 : (rest.tileSize - 1) / 2)),
      }));
    fc.assert(
      fc.property(tiling, (options) => {
        const { height, width, tileSize, overlap, window } = options;
        const plan = passTiles(height, width, options);
        expectSoundAxis(plan.rows, height, tileSize, overlap, window);
        expectSoundAxis(plan.cols, width, tileSize, overlap, window);
        expect(countTiles(height, width, options)).toBe(plan.rows.starts.length * plan.cols.starts.length);
        expect(planTiles(height, width, { ...options, shrink: options.shrinkTiles })).toEqual(plan);
      }),
      { numRuns: 400 },
    );
  });
});
