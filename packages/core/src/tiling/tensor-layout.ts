/** A planar float image: channels × height × width, row-major, as models consume it. */
export interface PlanarImage {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** Reflection index (no edge repeat, like PyTorch's `reflect` padding) for any integer position. */
export function reflectIndex(i: number, size: number): number {
  if (size === 1) return 0;
  const period = 2 * (size - 1);
  const m = ((i % period) + period) % period;
  return m < size ? m : period - m;
}

/** Pads the bottom and right edges by reflection to `height`×`width`, as SwinIR's `check_image_size` does. */
export function padReflectBottomRight(image: PlanarImage, height: number, width: number): PlanarImage {
  return extractReflected(image, 0, 0, height, width);
}

/**
 * Copies the `height`×`width` window whose top-left corner is (`top`, `left`) out of `image`;
 * positions outside the image are reflected back into it.
 */
export function extractReflected(
  image: PlanarImage,
  top: number,
  left: number,
  height: number,
  width: number,
): PlanarImage {
  const out = new Float32Array(image.channels * height * width);
  extractReflectedInto(image, top, left, height, width, out, 0);
  return { channels: image.channels, height, width, data: out };
}

/** {@link extractReflected} writing into `out` at `offset` (CHW). */
export function extractReflectedInto(
  image: PlanarImage,
  top: number,
  left: number,
  height: number,
  width: number,
  out: Float32Array,
  offset: number,
): void {
  const columns = Int32Array.from({ length: width }, (_, x) => reflectIndex(left + x, image.width));
  for (let c = 0; c < image.channels; c++) {
    for (let y = 0; y < height; y++) {
      const source = (c * image.height + reflectIndex(top + y, image.height)) * image.width;
      const target = offset + (c * height + y) * width;
      for (let x = 0; x < width; x++) out[target + x] = image.data[source + (columns[x] as number)] as number;
    }
  }
}

/** Keeps the top-left `height`×`width` of every channel. */
export function cropTopLeft(image: PlanarImage, height: number, width: number): PlanarImage {
  const out = new Float32Array(image.channels * height * width);
  for (let c = 0; c < image.channels; c++) {
    for (let y = 0; y < height; y++) {
      const source = (c * image.height + y) * image.width;
      out.set(image.data.subarray(source, source + width), (c * height + y) * width);
    }
  }
  return { channels: image.channels, height, width, data: out };
}

/** The smallest multiple of `step` that is ≥ `value`. */
export function roundUpTo(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}
