import { describe, expect, it } from 'vitest';
import { planScale } from './scale-plan.js';

describe('planScale', () => {
  it('uses an exact model when there is one', () => {
    expect(planScale(4, [2, 4])?.passes).toEqual([4]);
    expect(planScale(8, [2, 4, 8])?.passes).toEqual([8]);
  });

  it('chains ×4 and ×2 for ×8', () => {
    expect(planScale(8, [2, 4])?.passes).toEqual([4, 2]);
  });

  it('overshoots and lets a resize trim when nothing matches exactly', () => {
    expect(planScale(2, [4])).toEqual({ passes: [4], reached: 4 });
    expect(planScale(8, [4])).toEqual({ passes: [4, 4], reached: 16 });
    expect(planScale(3, [2, 4])?.passes).toEqual([4]);
  });

  it('has no plan without models', () => {
    expect(planScale(4, [])).toBeUndefined();
  });
});
