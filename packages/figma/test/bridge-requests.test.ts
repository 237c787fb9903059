import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../src/bridge/index.js';
import { headerSize } from '../src/bridge/result-size.js';
import type { ErrorResponse } from '../src/messages.js';
import { solidPng } from './support/png.js';
import { authorised, startTestBridge } from './support/test-bridge.js';

/** A TIFF structure with only an Orientation tag, in either byte order. */
function exif(orientation: number, little: boolean): Buffer {
  const tiff = Buffer.alloc(26);
  const u16 = (value: number, at: number) =>
    little ? tiff.writeUInt16LE(value, at) : tiff.writeUInt16BE(value, at);
  const u32 = (value: number, at: number) =>
    little ? tiff.writeUInt32LE(value, at) : tiff.writeUInt32BE(value, at);
  tiff.write(little ? 'II' : 'MM', 0, 'latin1');
  u16(42, 2);
  u32(8, 4);
  u16(1, 8); // one entry: Orientation, SHORT, count 1
  u16(0x0112, 10);
  u16(3, 12);
  u32(1, 14);
  u16(orientation, 18);
  return tiff;
}

function segment(marker: number, data: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([head, data]);
}

/** The header of a JPEG: an optional Exif segment, then a baseline frame of `width`×`height`. */
function jpegHeader(width: number, height: number, orientation?: number): Buffer {
  const frame = Buffer.from([8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  frame.writeUInt16BE(height, 1);
  frame.writeUInt16BE(width, 3);
  const app1 =
    orientation === undefined
      ? []
      : [segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exif(orientation, true)]))];
  return Buffer.concat([Buffer.from([0xff, 0xd8]), ...app1, segment(0xc0, frame), Buffer.from([0xff, 0xd9])]);
}

/** A PNG with an eXIf chunk after IHDR (its CRC is not checked by the header reader). */
function pngWithOrientation(width: number, height: number, orientation: number): Buffer {
  const png = solidPng(width, height, [1, 2, 3]);
  const tiff = exif(orientation, false);
  const chunk = Buffer.alloc(12 + tiff.length);
  chunk.writeUInt32BE(tiff.length, 0);
  chunk.write('eXIf', 4, 'latin1');
  tiff.copy(chunk, 8);
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}

describe('headerSize', () => {
  it('reads PNG and JPEG sizes, turned by EXIF orientation', () => {
    expect(headerSize(solidPng(30, 10, [0, 0, 0]))).toEqual({ width: 30, height: 10 });
    expect(headerSize(jpegHeader(30, 10))).toEqual({ width: 30, height: 10 });
    for (const orientation of [1, 2, 3, 4])
      expect(headerSize(jpegHeader(30, 10, orientation))).toEqual({ width: 30, height: 10 });
    for (const orientation of [5, 6, 7, 8]) {
      expect(headerSize(jpegHeader(30, 10, orientation))).toEqual({ width: 10, height: 30 });
      expect(headerSize(pngWithOrientation(30, 10, orientation))).toEqual({ width: 10, height: 30 });
    }
  });

  it('leaves other formats and cut-off headers to the core', () => {
    expect(headerSize(new TextEncoder().encode('GIF89a'))).toBeUndefined();
    expect(headerSize(new Uint8Array(0))).toBeUndefined();
    expect(headerSize(solidPng(30, 10, [0, 0, 0]).subarray(0, 20))).toBeUndefined();
    expect(headerSize(jpegHeader(30, 10, 6).subarray(0, 25))).toBeUndefined();
    expect(headerSize(jpegHeader(0, 10))).toBeUndefined();
  });
});

describe('bridge request checks', () => {
  let bridge: Bridge;

  beforeAll(async () => {
    bridge = await startTestBridge({ maxPixels: 4096 * 4096 });
  });
  afterAll(() => bridge?.close());

  const post = (query: string, body: Uint8Array = solidPng(16, 16, [1, 2, 3])) =>
    fetch(`${bridge.url}/upscale?${query}`, { method: 'POST', headers: authorised(bridge), body });
  const errorOf = async (response: Response) => ((await response.json()) as ErrorResponse).error;

  it('names the requested result size and the limit when a size is too large', async () => {
    const wide = await post('width=100000');
    expect(wide.status).toBe(422);
    const { code, message } = await errorOf(wide);
    expect(code).toBe('IMAGE_TOO_LARGE');
    expect(message).toContain('16×16');
    expect(message).toContain('100000×100000');
    expect(message).toContain('10000.0 MP');
    expect(message).toContain('4096×4096 (16.8 MP)');
    const tall = await post('height=5000', solidPng(20, 10, [1, 2, 3]));
    expect(await errorOf(tall)).toMatchObject({ code: 'IMAGE_TOO_LARGE', message: /10000×5000 result/ });
    const both = await post('width=5000&height=4000');
    expect(await errorOf(both)).toMatchObject({ message: /5000×4000 result \(20\.0 MP\)/ });
  });

  it('takes integers only as plain decimal digits', async () => {
    for (const value of ['0x4', '0b10', '0o4', '4.0', '4e0', '+4', ' 4', '4 ', '٤', '']) {
      const response = await post(`scale=${encodeURIComponent(value)}`);
      expect(response.status, `scale=${value}`).toBe(400);
      expect(await errorOf(response), `scale=${value}`).toMatchObject({
        code: 'INVALID_OPTION',
        message: expect.stringContaining('decimal digits'),
      });
    }
    expect((await post('width=0x40')).status).toBe(400);
    const plain = await post('scale=2');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('x-swinup-width')).toBe('32');
  });
});
