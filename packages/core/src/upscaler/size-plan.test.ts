import { describe, expect, it } from 'vitest';
import { planSize } from './size-plan.js';

const request = { scale: undefined, width: undefined, height: undefined, defaultScale: 4, modelScales: [4] };

describe('planSize', () => {
  it('plans a scale, or an exact size with the smallest sufficient passes', () => {
    expect(planSize(72, 72, { ...request, maxOutputPixels: 1e8 })).toEqual({
      targetW: 288,
      targetH: 288,
      passes: [4],
    });
    expect(planSize(100, 50, { ...request, width: 300, maxOutputPixels: 1e8 })).toEqual({
      targetW: 300,
      targetH: 150,
      passes: [4],
    });
  });

  it('names the size that is over the limit: the requested one when it is the larger', () => {
    expect(() => planSize(16, 16, { ...request, width: 100_000, maxOutputPixels: 16_777_216 })).toThrow(
      'image is 16×16; enlarging it needs a 100000×100000 result (10000.0 MP)',
    );
    expect(() => planSize(3000, 3000, { ...request, scale: 2, maxOutputPixels: 1e8 })).toThrow(
      'needs a 12000×12000 result (144.0 MP)',
    );
  });
});
