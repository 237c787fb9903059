import type { UpscaleOptions } from '../options.js';
import { targetSize } from '../upscaler/size-plan.js';
import { HttpError } from './http-error.js';

/** Width and height of an image as shown, i.e. after its EXIF orientation. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const EXIF_ORIENTATION_TAG = 0x0112;

/**
 * The size a PNG or JPEG header declares, turned by its EXIF orientation; undefined for other formats
 * or a header that cannot be read (the core then decides, with its own error).
 */
export function headerSize(bytes: Uint8Array): ImageSize | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return pngSize(bytes, view);
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes, view);
  } catch {
    // A header cut short (RangeError from DataView) is the core's to report as a damaged image.
  }
  return undefined;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function oriented(width: number, height: number, orientation: number): ImageSize | undefined {
  if (width === 0 || height === 0) return undefined;
  // Orientations 5–8 turn the image a quarter, so what is shown swaps the stored width and height.
  return orientation >= 5 && orientation <= 8 ? { width: height, height: width } : { width, height };
}

/** IHDR gives the size; an eXIf chunk before the pixel data may turn it. */
function pngSize(bytes: Uint8Array, view: DataView): ImageSize | undefined {
  if (ascii(bytes, 12, 4) !== 'IHDR') return undefined;
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  let orientation = 1;
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = ascii(bytes, at + 4, 4);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'eXIf') orientation = tiffOrientation(view, at + 8);
    at += 12 + length;
  }
  return oriented(width, height, orientation);
}

/** The first start-of-frame segment gives the size; an APP1 Exif segment before it may turn it. */
function jpegSize(bytes: Uint8Array, view: DataView): ImageSize | undefined {
  let orientation = 1;
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] as number;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = view.getUint16(at + 2);
    if (marker === 0xe1 && ascii(bytes, at + 4, 6) === 'Exif\0\0')
      orientation = tiffOrientation(view, at + 10);
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return oriented(view.getUint16(at + 7), view.getUint16(at + 5), orientation);
    at += 2 + length;
  }
  return undefined;
}

/** The Orientation tag of IFD0 in the TIFF structure at `start` (1, upright, when absent). */
function tiffOrientation(view: DataView, start: number): number {
  const little = view.getUint16(start) === 0x4949; // "II"
  const ifd = start + view.getUint32(start + 4, little);
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (view.getUint16(entry, little) === EXIF_ORIENTATION_TAG) return view.getUint16(entry + 8, little);
  }
  return 1;
}

/** What the result may be, and what it is when the request names no size. */
export interface ResultLimits {
  /** Largest result in pixels. */
  readonly maxPixels: number;
  /** The model's own scale, used when the request asks for neither scale nor size. */
  readonly defaultScale: number;
  /** How the message names the server, e.g. `the bridge` (default `the server`). */
  readonly noun?: string;
}

function describePixels(pixels: number): string {
  const side = Math.sqrt(pixels);
  const megapixels = `${(pixels / 1e6).toFixed(1)} MP`;
  return Number.isInteger(side) ? `${side}×${side} (${megapixels})` : `${pixels} pixels (${megapixels})`;
}

/**
 * Refuses with 422 a request whose result would exceed `maxPixels`, naming the result asked for and the
 * limit, before the image waits in the queue. Images whose header it cannot read are left to the core.
 */
export function checkResultSize(image: Uint8Array, options: UpscaleOptions, limits: ResultLimits): void {
  const source = headerSize(image);
  if (source === undefined) return;
  const { width: w, height: h } = source;
  // The same size the upscaler will plan, so the refusal names exactly what would be made.
  const [width, height] = targetSize(w, h, { ...options, defaultScale: limits.defaultScale });
  if (width * height <= limits.maxPixels) return;
  throw new HttpError(
    422,
    'IMAGE_TOO_LARGE',
    `the image is ${w}×${h}; the requested ${width}×${height} result (${((width * height) / 1e6).toFixed(1)} MP) ` +
      `is over ${limits.noun ?? 'the server'}'s limit of ${describePixels(limits.maxPixels)}; ask for a smaller scale, width or height`,
  );
}
