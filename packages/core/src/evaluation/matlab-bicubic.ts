/**
 * MATLAB's `imresize(..., 'bicubic')` for enlargement (cubic kernel a = −0.5, pixel-centre alignment,
 * symmetric edges): the baseline every SR paper's "Bicubic" row uses.
 */

function cubic(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 1) return 1.5 * ax ** 3 - 2.5 * ax ** 2 + 1;
  if (ax < 2) return -0.5 * ax ** 3 + 2.5 * ax ** 2 - 4 * ax + 2;
  return 0;
}

function symmetric(i: number, size: number): number {
  const period = 2 * size;
  const m = ((i % period) + period) % period;
  return m < size ? m : period - 1 - m;
}

/** Source indices and weights of every output position along one axis. */
function contributions(inLength: number, outLength: number, scale: number) {
  return Array.from({ length: outLength }, (_, x) => {
    const u = (x + 1) / scale + 0.5 * (1 - 1 / scale);
    const left = Math.floor(u - 2);
    const indices: number[] = [];
    const weights: number[] = [];
    for (let k = 0; k < 4; k++) {
      const j = left + 1 + k;
      indices.push(symmetric(j - 1, inLength));
      weights.push(cubic(u - j));
    }
    const total = weights.reduce((a, b) => a + b, 0);
    return { indices, weights: weights.map((w) => w / total) };
  });
}

/** Enlarges an 8-bit interleaved image by an integer `scale`, rounding like MATLAB's uint8 output. */
export function matlabBicubicUpscale(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  scale: number,
): Uint8Array {
  const outW = width * scale;
  const outH = height * scale;
  const cols = contributions(width, outW, scale);
  const rows = contributions(height, outH, scale);
  // MATLAB resizes along the first dimension (rows) first.
  const vertical = new Float64Array(outH * width * channels);
  for (let y = 0; y < outH; y++) {
    const { indices, weights } = rows[y] as { indices: number[]; weights: number[] };
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = 0; k < 4; k++)
          s +=
            (weights[k] as number) * (pixels[((indices[k] as number) * width + x) * channels + c] as number);
        vertical[(y * width + x) * channels + c] = Math.min(255, Math.max(0, Math.round(s)));
      }
    }
  }
  const out = new Uint8Array(outW * outH * channels);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const { indices, weights } = cols[x] as { indices: number[]; weights: number[] };
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = 0; k < 4; k++)
          s +=
            (weights[k] as number) *
            (vertical[(y * width + (indices[k] as number)) * channels + c] as number);
        out[(y * outW + x) * channels + c] = Math.min(255, Math.max(0, Math.round(s)));
      }
    }
  }
  return out;
}
