import { describe, expect, it } from 'vitest';
import { axisTiles, planTiles } from './tile-grid.js';

describe('axisTiles', () => {
  it('shrinks tiles to what their count needs, in window steps', () => {
    expect(axisTiles(140, 128, 16, 8)).toEqual({ tile: 80, starts: [0, 60] });
    expect(axisTiles(512, 64, 8, 8)).toEqual({
      tile: 64,
      starts: [0, 56, 112, 168, 224, 280, 336, 392, 448],
    });
  });

  it('covers every length with neighbours overlapping by at least the overlap', () => {
    for (let length = 1; length <= 700; length += 7) {
      for (const [tileSize, overlap] of [
        [64, 8],
        [64, 16],
        [128, 16],
        [256, 16],
      ] as const) {
        const { tile, starts } = axisTiles(length, tileSize, overlap, 8);
        expect(tile % 8).toBe(0);
        expect(tile).toBeLessThanOrEqual(Math.max(tileSize, 8));
        expect(starts[0]).toBe(0);
        expect((starts.at(-1) as number) + tile).toBeGreaterThanOrEqual(length);
        for (let i = 1; i < starts.length; i++) {
          expect((starts[i - 1] as number) + tile - (starts[i] as number)).toBeGreaterThanOrEqual(overlap);
        }
      }
    }
  });

  it('keeps full-size tiles when asked not to shrink them (the benchmark baseline)', () => {
    expect(axisTiles(140, 128, 16, 8, false)).toEqual({ tile: 128, starts: [0, 12] });
  });

  it('runs short axes and tile size 0 as one window-rounded tile', () => {
    expect(axisTiles(57, 64, 8, 8)).toEqual({ tile: 64, starts: [0] });
    expect(axisTiles(300, 0, 8, 8)).toEqual({ tile: 304, starts: [0] });
  });
});

describe('planTiles', () => {
  const cpu = { tileSize: 192, overlap: 8, window: 8, parallel: 2 };

  it('splits a small image so every lane gets a tile, the cheapest way', () => {
    const bird = planTiles(72, 72, cpu);
    expect(bird.rows.starts.length * bird.cols.starts.length).toBe(2);
    expect([bird.rows.tile, bird.cols.tile].sort()).toEqual([40, 72]);
  });

  it('takes few large tiles on a large image rather than many small ones', () => {
    const photo = planTiles(512, 512, cpu);
    const tiles = photo.rows.starts.length * photo.cols.starts.length;
    const rounds = Math.ceil(tiles / 2);
    // 81 tiles of 64² (old layout) = 41 rounds of 4096 px; the plan must beat it by at least 10 %.
    expect(rounds * photo.rows.tile * photo.cols.tile).toBeLessThan(0.9 * 41 * 64 * 64);
    expect(Math.max(photo.rows.tile, photo.cols.tile)).toBeLessThanOrEqual(192);
  });

  it('covers every size with neighbours overlapping by at least the overlap', () => {
    for (let height = 5; height <= 420; height += 29) {
      for (const width of [9, 64, 130, 333]) {
        for (const parallel of [1, 2, 4]) {
          const { rows, cols } = planTiles(height, width, { ...cpu, parallel });
          for (const [axis, length] of [
            [rows, height],
            [cols, width],
          ] as const) {
            expect(axis.tile % 8).toBe(0);
            expect(axis.tile).toBeLessThanOrEqual(Math.max(192, roundUp8(length)));
            expect((axis.starts.at(-1) as number) + axis.tile).toBeGreaterThanOrEqual(length);
            for (let i = 1; i < axis.starts.length; i++)
              expect(
                (axis.starts[i - 1] as number) + axis.tile - (axis.starts[i] as number),
              ).toBeGreaterThanOrEqual(8);
          }
        }
      }
    }
  });

  it('keeps the fewest full-size tiles when asked not to shrink (the benchmark baseline)', () => {
    const plan = planTiles(140, 140, { tileSize: 128, overlap: 16, window: 8, shrink: false, parallel: 2 });
    expect(plan.rows).toEqual({ tile: 128, starts: [0, 12] });
  });
});

function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
