/** The model passes that reach a scale factor, and whether a final resize is needed. */
export interface ScalePlan {
  /** Model scales to run in order (their product is ≥ the factor). */
  readonly passes: readonly number[];
  /** Product of the passes. */
  readonly reached: number;
}

/**
 * Chooses model passes for an enlargement `factor` from the scales available: the exact scale if there
 * is one, else the shortest chain (≤ 3 passes) that reaches the factor with the least overshoot, which
 * a Lanczos downscale then trims. A factor of 1 still runs the smallest model (then downscales).
 */
export function planScale(factor: number, available: readonly number[]): ScalePlan | undefined {
  const scales = [...new Set(available.filter((s) => s > 1))].sort((a, b) => b - a);
  if (scales.length === 0) return undefined;
  let best: number[] | undefined;
  const consider = (chain: number[]) => {
    const product = chain.reduce((p, s) => p * s, 1);
    if (product < factor) return;
    if (best === undefined) {
      best = chain;
      return;
    }
    const bestProduct = best.reduce((p, s) => p * s, 1);
    if (product < bestProduct || (product === bestProduct && chain.length < best.length)) best = chain;
  };
  for (const a of scales) {
    consider([a]);
    for (const b of scales) {
      if (b > a) continue;
      consider([a, b]);
      for (const c of scales) if (c <= b) consider([a, b, c]);
    }
  }
  const passes = best ?? [scales[0] as number];
  return { passes, reached: passes.reduce((p, s) => p * s, 1) };
}
