import { describe, expect, it } from 'vitest';
import { axisTiles } from './tile-grid.js';

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
