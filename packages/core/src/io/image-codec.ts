import sharp, { type Metadata, type Sharp } from 'sharp';
import { SwinupError } from '../errors.js';
import type { InterleavedImage } from '../image/pixel-planes.js';
import { keepSolidAlpha } from '../image/solid-alpha.js';
import type { OutputFormat } from '../options.js';
import { readRegularFile } from './regular-file.js';

/** What an image can be given as: a file path, encoded bytes, or a sharp pipeline. */
export type ImageInput = string | Uint8Array | Sharp;

/** Facts about the encoded input that decide how it is decoded and re-encoded. */
export interface SourceInfo {
  /** sharp's format name (png, jpeg, webp, heif, tiff, gif, …). */
  readonly format: string;
  /** Width and height after EXIF orientation is applied. */
  readonly width: number;
  readonly height: number;
  readonly depth: 8 | 16;
  readonly grey: boolean;
  readonly hasAlpha: boolean;
  readonly cmyk: boolean;
  /** Frames in an animated image (only the first is upscaled). */
  readonly pages: number;
  readonly hasIcc: boolean;
  readonly hasExif: boolean;
  /** The encoded bytes, kept to carry the ICC profile and EXIF over to the output. */
  readonly bytes: Uint8Array;
}

/** Largest encoded image read from disk: far above any real photo, far below what would exhaust memory. */
const MAX_IMAGE_BYTES = 1024 * 1024 * 1024;

const READABLE = 'PNG, JPEG, WebP, AVIF, TIFF or GIF';

/** Reads the input's bytes (a path is read from disk, a sharp pipeline is rendered). */
export async function loadBytes(input: ImageInput): Promise<Uint8Array> {
  if (typeof input === 'string') {
    try {
      return await readRegularFile(input, {
        maxBytes: MAX_IMAGE_BYTES,
        what: 'image',
        code: 'INVALID_IMAGE',
      });
    } catch (error) {
      if (error instanceof SwinupError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder' : (error as Error).message;
      throw new SwinupError('INVALID_IMAGE', `cannot read image: ${why}`, { cause: error });
    }
  }
  if (input instanceof Uint8Array) return input;
  return await input.toBuffer();
}

function decoder(bytes: Uint8Array) {
  return sharp(bytes, { failOn: 'error', limitInputPixels: false, animated: false });
}

function invalidImage(error: unknown): SwinupError {
  const message = (error as Error).message ?? String(error);
  if (/unsupported image format/i.test(message)) {
    return new SwinupError('INVALID_IMAGE', `not a readable image (expected ${READABLE})`, { cause: error });
  }
  return new SwinupError('INVALID_IMAGE', `image is damaged or truncated (${message.split('\n')[0]})`, {
    cause: error,
  });
}

/** Reads only the header: dimensions, depth, colour space, alpha, pages. Cheap, so limits can be checked first. */
export async function inspectImage(bytes: Uint8Array): Promise<SourceInfo> {
  if (bytes.byteLength === 0) throw new SwinupError('INVALID_IMAGE', 'file is empty (0 bytes)');
  let meta: Metadata;
  try {
    meta = await decoder(bytes).metadata();
  } catch (error) {
    throw invalidImage(error);
  }
  if (meta.width === undefined || meta.height === undefined || meta.format === undefined) {
    throw new SwinupError('INVALID_IMAGE', `image has no dimensions (expected ${READABLE})`);
  }
  const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height };
  const grey = meta.space === 'b-w' || meta.space === 'grey16';
  return {
    format: meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format,
    width: oriented.width,
    height:
      meta.pages !== undefined && meta.pages > 1 ? (meta.pageHeight ?? oriented.height) : oriented.height,
    depth: meta.depth === 'ushort' || meta.depth === 'short' ? 16 : 8,
    grey,
    hasAlpha: meta.hasAlpha ?? false,
    cmyk: meta.space === 'cmyk',
    pages: meta.pages ?? 1,
    hasIcc: meta.icc !== undefined,
    hasExif: meta.exif !== undefined,
    bytes,
  };
}

function workingSpace(grey: boolean, depth: 8 | 16): 'b-w' | 'grey16' | 'srgb' | 'rgb16' {
  if (grey) return depth === 16 ? 'grey16' : 'b-w';
  return depth === 16 ? 'rgb16' : 'srgb';
}

/** Decodes the first frame, orientation applied, converted to sRGB (or grey) at the source's bit depth. */
export async function decodeImage(source: SourceInfo): Promise<InterleavedImage> {
  try {
    const pipeline = decoder(source.bytes).rotate().toColourspace(workingSpace(source.grey, source.depth));
    return await toInterleaved(pipeline, source.depth);
  } catch (error) {
    throw invalidImage(error);
  }
}

function rawInput(image: InterleavedImage) {
  return sharp(image.pixels, {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 },
  });
}

/** Lanczos-3 resize of interleaved pixels (alpha enlargement, exact-size output). */
export async function resizeLanczos(
  image: InterleavedImage,
  width: number,
  height: number,
): Promise<InterleavedImage> {
  const pipeline = rawInput(image)
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .toColourspace(workingSpace(image.channels <= 2, image.depth));
  return toInterleaved(pipeline, image.depth);
}

/** Runs a pipeline to raw interleaved samples at `depth` bits. */
async function toInterleaved(pipeline: Sharp, depth: 8 | 16): Promise<InterleavedImage> {
  const { data, info } = await pipeline
    .raw(depth === 16 ? { depth: 'ushort' } : {})
    .toBuffer({ resolveWithObject: true });
  const pixels =
    depth === 16 ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data);
  return { width: info.width, height: info.height, channels: info.channels, depth, pixels };
}

/** Formats that hold 16-bit samples. */
export function supportsSixteenBit(format: OutputFormat): boolean {
  return format === 'png' || format === 'tiff';
}

/** The output format for a source when none was asked for: its own when writable, else PNG. */
export function defaultFormat(source: SourceInfo): OutputFormat {
  const own = source.format === 'jpg' ? 'jpeg' : source.format;
  return (['png', 'jpeg', 'webp', 'avif', 'tiff'] as const).find((f) => f === own) ?? 'png';
}

/** Settings for encoding the result. */
export interface EncodeSettings {
  readonly format: OutputFormat;
  readonly quality: number | undefined;
  /** Carry the source's ICC profile and EXIF (orientation reset, since pixels are already upright). */
  readonly keepMetadata: boolean;
  readonly source: SourceInfo;
}

/**
 * Encodes the upscaled pixels. When the source has alpha, areas where it is solid (fully transparent,
 * fully opaque or one flat level) first get exactly that alpha back in `image` (see keepSolidAlpha):
 * done here, the one step that sees both the source and the final pixels, whichever way alpha was enlarged.
 */
export async function encodeImage(image: InterleavedImage, settings: EncodeSettings): Promise<Buffer> {
  const { source, format } = settings;
  // Decoded again exactly as the pipeline did, so the alpha compared is the alpha it enlarged.
  if (source.hasAlpha && image.channels % 2 === 0) keepSolidAlpha(image, await decodeImage(source));
  const carry = settings.keepMetadata && (source.hasIcc || source.hasExif);
  let pipeline: Sharp;
  if (carry) {
    // The source, upright and stretched to the output size, carries its metadata; the result replaces its pixels.
    pipeline = decoder(source.bytes)
      .rotate()
      .resize(image.width, image.height, { fit: 'fill', kernel: 'nearest' })
      .composite([{ input: asBuffer(image.pixels), raw: rawDescriptor(image), blend: 'source' }])
      .keepExif();
    if (source.hasIcc && (!source.cmyk || format === 'jpeg' || format === 'tiff'))
      pipeline = pipeline.keepIccProfile();
    if (source.cmyk && (format === 'jpeg' || format === 'tiff')) pipeline = pipeline.toColourspace('cmyk');
    else pipeline = pipeline.toColourspace(workingSpace(image.channels <= 2, image.depth));
  } else {
    pipeline = rawInput(image).toColourspace(workingSpace(image.channels <= 2, image.depth));
  }
  const quality = settings.quality;
  switch (format) {
    case 'png':
      pipeline = pipeline.png({ compressionLevel: 6 });
      break;
    case 'jpeg':
      pipeline = pipeline.jpeg({ quality: quality ?? 90 });
      break;
    case 'webp':
      pipeline = pipeline.webp({ quality: quality ?? 90 });
      break;
    case 'avif':
      pipeline = pipeline.avif({ quality: quality ?? 60 });
      break;
    case 'tiff':
      pipeline = pipeline.tiff({ compression: 'lzw', ...(quality === undefined ? {} : { quality }) });
      break;
  }
  try {
    return await pipeline.toBuffer();
  } catch (error) {
    throw new SwinupError(
      'OUTPUT_FAILED',
      `could not encode the result as ${format}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function asBuffer(pixels: Uint8Array | Uint16Array): Buffer {
  return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}

function rawDescriptor(image: InterleavedImage) {
  return { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 };
}

/** Versions of sharp and libvips, for `swinup doctor`. */
export function codecVersions(): { sharp: string; libvips: string } {
  return { sharp: sharp.versions.sharp ?? 'unknown', libvips: sharp.versions.vips };
}

/** Decodes any readable image to 8-bit sRGB pixels (3 channels), for quality measurement. */
export async function decodeRgb8(bytes: Uint8Array): Promise<InterleavedImage & { pixels: Uint8Array }> {
  try {
    const { data, info } = await decoder(bytes)
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      channels: info.channels,
      depth: 8,
      pixels: new Uint8Array(data),
    };
  } catch (error) {
    throw invalidImage(error);
  }
}
