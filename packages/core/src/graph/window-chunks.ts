/**
 * How window attention is split into chunks of windows: which tokens each chunk gathers, which chunks
 * need the shifted-window mask, and where each token's attention output lands. Pure index maths.
 */
import { invertPermutation, shiftRegionLabels, windowPermutation } from './window-indices.js';

/** The additive score between tokens of different regions of a shifted window (official value). */
export const MASKED_SCORE = -100;

/** One chunk of windows. */
export interface WindowChunk {
  /** Number of windows in the chunk. */
  readonly windows: number;
  /** Row of the flattened (batch·H·W) tokens for each of the chunk's windows × N positions. */
  readonly rows: Int32Array;
  /** Additive mask (windows × 1 × N × N) when a window mixes shifted regions; absent otherwise. */
  readonly mask?: Float32Array;
}

/** The chunks of one feature-map shape and shift. */
export interface WindowChunkPlan {
  readonly chunks: readonly WindowChunk[];
  /**
   * For every token of the flattened batch and every head, the row of the concatenated chunk outputs
   * viewed as (windows·heads·N)×head_dim: the Gather index that restores image order with heads merged.
   */
  headRows(heads: number): Int32Array;
}

/**
 * Splits the windows of a batch×H×W map (rolled by −`shift`) into chunks of at most `chunkWindows`
 * (0: no limit).
 * Windows the mask leaves whole come first and chunk together, so mask additions are confined to the
 * few chunks of windows on the rolled border.
 */
export function planWindowChunks(
  batch: number,
  height: number,
  width: number,
  window: number,
  shift: number,
  chunkWindows: number,
): WindowChunkPlan {
  const n = window * window;
  const tokens = height * width;
  const windows = tokens / n;
  const forward = windowPermutation(height, width, window, shift);
  const labels = shift > 0 ? shiftRegionLabels(height, width, window, shift) : undefined;
  const mixed = (win: number) =>
    labels?.subarray(win * n, (win + 1) * n).some((l) => l !== labels[win * n]) ?? false;
  const whole: number[] = [];
  const masked: number[] = [];
  for (let image = 0; image < batch; image++) {
    for (let win = 0; win < windows; win++) (mixed(win) ? masked : whole).push(image * windows + win);
  }
  const order = [...whole, ...masked];
  const chunks: WindowChunk[] = [];
  const limit = chunkWindows > 0 ? chunkWindows : order.length;
  for (const group of [whole, masked]) {
    for (let from = 0; from < group.length; from += limit) {
      const members = group.slice(from, from + limit);
      const rows = new Int32Array(members.length * n);
      members.forEach((member, k) => {
        const image = Math.floor(member / windows);
        const win = member % windows;
        for (let i = 0; i < n; i++) rows[k * n + i] = image * tokens + (forward[win * n + i] as number);
      });
      chunks.push({
        windows: members.length,
        rows,
        ...(group === masked && labels !== undefined
          ? {
              mask: windowMasks(
                members.map((m) => m % windows),
                labels,
                n,
              ),
            }
          : {}),
      });
    }
  }
  const position = invertPermutation(Int32Array.from(order));
  const backward = invertPermutation(forward);
  return {
    chunks,
    headRows(heads) {
      const index = new Int32Array(batch * tokens * heads);
      for (let image = 0; image < batch; image++) {
        for (let t = 0; t < tokens; t++) {
          const q = backward[t] as number;
          const at = position[image * windows + Math.floor(q / n)] as number;
          for (let h = 0; h < heads; h++)
            index[(image * tokens + t) * heads + h] = (at * heads + h) * n + (q % n);
        }
      }
      return index;
    },
  };
}

/** windows × N × N additive masks: 0 where two tokens share a region, {@link MASKED_SCORE} elsewhere. */
function windowMasks(windowIds: readonly number[], labels: Float32Array, n: number): Float32Array {
  const mask = new Float32Array(windowIds.length * n * n);
  windowIds.forEach((win, k) => {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        if (labels[win * n + i] !== labels[win * n + j]) mask[(k * n + i) * n + j] = MASKED_SCORE;
  });
  return mask;
}
