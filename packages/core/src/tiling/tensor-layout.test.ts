import { describe, expect, it } from 'vitest';
import { cropTopLeft, extractReflected, padReflectBottomRight, reflectIndex } from './tensor-layout.js';

describe('tensor layout', () => {
  it('reflects without repeating the edge, like PyTorch', () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((i) => reflectIndex(i, 4))).toEqual([
      3, 2, 1, 0, 1, 2, 3, 2, 1, 0,
    ]);
    expect(reflectIndex(5, 1)).toBe(0);
  });

  it('pads bottom/right by reflection and crops back', () => {
    const image = { channels: 1, height: 2, width: 3, data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const padded = padReflectBottomRight(image, 3, 5);
    expect([...padded.data]).toEqual([1, 2, 3, 2, 1, 4, 5, 6, 5, 4, 1, 2, 3, 2, 1]);
    expect([...cropTopLeft(padded, 2, 3).data]).toEqual([...image.data]);
  });

  it('extracts a window that starts outside the image', () => {
    const image = { channels: 1, height: 1, width: 3, data: Float32Array.from([1, 2, 3]) };
    expect([...extractReflected(image, 0, -2, 1, 3).data]).toEqual([3, 2, 1]);
  });
});
