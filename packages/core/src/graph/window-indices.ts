/**
 * Index maths of shifted-window attention for a fixed feature-map size, as in the official SwinIR
 * code: window partition order, cyclic shift, relative position index and the shifted-window mask.
 */

/**
 * Token permutation that rolls an H×W map by −`shift` on both axes and partitions it into
 * `window`×`window` windows: windowed[q] = tokens[perm[q]].
 */
export function windowPermutation(height: number, width: number, window: number, shift: number): Int32Array {
  const perm = new Int32Array(height * width);
  const windowsPerRow = width / window;
  let q = 0;
  for (let wh = 0; wh < height / window; wh++) {
    for (let ww = 0; ww < windowsPerRow; ww++) {
      for (let i = 0; i < window; i++) {
        for (let j = 0; j < window; j++) {
          const h = (wh * window + i + shift) % height;
          const w = (ww * window + j + shift) % width;
          perm[q++] = h * width + w;
        }
      }
    }
  }
  return perm;
}

/** The inverse of a permutation: inverse[perm[q]] = q. */
export function invertPermutation(perm: Int32Array): Int32Array {
  const inverse = new Int32Array(perm.length);
  perm.forEach((p, q) => {
    inverse[p] = q;
  });
  return inverse;
}

/** Index into the (2w−1)² relative position bias table for each pair of tokens in a window (N×N). */
export function relativePositionIndex(window: number): Int32Array {
  const n = window * window;
  const index = new Int32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const dh = Math.floor(a / window) - Math.floor(b / window) + window - 1;
      const dw = (a % window) - (b % window) + window - 1;
      index[a * n + b] = dh * (2 * window - 1) + dw;
    }
  }
  return index;
}

/**
 * Region label of every token after the shift, in window order (nW×N): tokens of one window
 * may attend to each other only when their labels are equal.
 */
export function shiftRegionLabels(
  height: number,
  width: number,
  window: number,
  shift: number,
): Float32Array {
  const region = (x: number, size: number) => (x < size - window ? 0 : x < size - shift ? 1 : 2);
  const labels = new Float32Array(height * width);
  const perm = windowPermutation(height, width, window, 0);
  perm.forEach((token, q) => {
    labels[q] = region(Math.floor(token / width), height) * 3 + region(token % width, width);
  });
  return labels;
}
