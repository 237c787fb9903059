import { describe, expect, it } from 'vitest';
import {
  invertPermutation,
  relativePositionIndex,
  shiftRegionLabels,
  windowPermutation,
} from './window-indices.js';

describe('window indices', () => {
  it('partitions an unshifted 4×4 map into 2×2 windows in row-major window order', () => {
    expect([...windowPermutation(4, 4, 2, 0)]).toEqual([
      0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15,
    ]);
  });

  it('rolls by −shift before partitioning, and the inverse undoes it', () => {
    const perm = windowPermutation(4, 4, 2, 1);
    expect([...perm.subarray(0, 4)]).toEqual([5, 6, 9, 10]);
    const inverse = invertPermutation(perm);
    for (let q = 0; q < perm.length; q++) expect(inverse[perm[q] as number]).toBe(q);
  });

  it('computes the relative position index of the official code', () => {
    const index = relativePositionIndex(2);
    // tokens (0,0),(0,1),(1,0),(1,1): index = (dh + 1) * 3 + (dw + 1)
    expect([...index]).toEqual([4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4]);
    expect(Math.max(...relativePositionIndex(8))).toBe(15 * 15 - 1);
  });

  it('labels the nine shift regions', () => {
    const labels = shiftRegionLabels(8, 8, 4, 2);
    // The last window (bottom-right) mixes four regions; the first holds one.
    expect(new Set(labels.subarray(0, 16)).size).toBe(1);
    expect(new Set(labels.subarray(48, 64))).toEqual(new Set([4, 5, 7, 8]));
  });
});
