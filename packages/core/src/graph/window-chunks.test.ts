import { describe, expect, it } from 'vitest';
import { MASKED_SCORE, planWindowChunks } from './window-chunks.js';
import { shiftRegionLabels, windowPermutation } from './window-indices.js';

const CASES = [
  { batch: 1, height: 16, width: 24, window: 8, shift: 0, chunk: 2 },
  { batch: 1, height: 32, width: 32, window: 8, shift: 4, chunk: 3 },
  { batch: 2, height: 21, width: 14, window: 7, shift: 3, chunk: 4 },
  { batch: 2, height: 16, width: 16, window: 8, shift: 4, chunk: 0 },
] as const;

describe('planWindowChunks', () => {
  it.each(CASES)(
    'covers every token once and restores image order ($batch×$height×$width, shift $shift, chunk $chunk)',
    (c) => {
      const n = c.window ** 2;
      const tokens = c.height * c.width;
      const plan = planWindowChunks(c.batch, c.height, c.width, c.window, c.shift, c.chunk);
      const heads = 3;
      const seen = new Int32Array(c.batch * tokens);
      const rowOf = new Map<number, number>();
      let windowsBefore = 0;
      for (const chunk of plan.chunks) {
        if (c.chunk > 0) expect(chunk.windows).toBeLessThanOrEqual(c.chunk);
        expect(chunk.rows.length).toBe(chunk.windows * n);
        chunk.rows.forEach((token, k) => {
          seen[token] = (seen[token] as number) + 1;
          const win = windowsBefore + Math.floor(k / n);
          for (let h = 0; h < heads; h++) rowOf.set(token * heads + h, (win * heads + h) * n + (k % n));
        });
        windowsBefore += chunk.windows;
      }
      expect([...seen].every((count) => count === 1)).toBe(true);
      const index = plan.headRows(heads);
      expect(index.length).toBe(c.batch * tokens * heads);
      index.forEach((row, at) => {
        expect(row).toBe(rowOf.get(at));
      });
    },
  );

  it('masks exactly the windows the shift mixes, with the official mask', () => {
    const [h, w, ws, shift] = [24, 32, 8, 4];
    const n = ws * ws;
    const plan = planWindowChunks(1, h, w, ws, shift, 2);
    const labels = shiftRegionLabels(h, w, ws, shift);
    const forward = windowPermutation(h, w, ws, shift);
    const windowOf = new Map<number, number>();
    forward.forEach((token, q) => {
      windowOf.set(token, Math.floor(q / n));
    });
    let masked = 0;
    for (const chunk of plan.chunks) {
      for (let k = 0; k < chunk.windows; k++) {
        const win = windowOf.get(chunk.rows[k * n] as number) as number;
        const own = labels.subarray(win * n, (win + 1) * n);
        const mixed = own.some((l) => l !== own[0]);
        expect(chunk.mask !== undefined).toBe(mixed);
        if (chunk.mask === undefined) continue;
        masked++;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++)
            expect(chunk.mask[(k * n + i) * n + j]).toBe(own[i] === own[j] ? 0 : MASKED_SCORE);
      }
    }
    // The last row and the last column of windows: 3 + 4 - 1.
    expect(masked).toBe(6);
    expect(planWindowChunks(1, h, w, ws, 0, 2).chunks.every((chunk) => chunk.mask === undefined)).toBe(true);
  });
});
