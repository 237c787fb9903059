import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** One input of the corpus; `good` ones must be upscaled, the others may fail but must be reported. */
export interface CorpusFile {
  readonly path: string;
  readonly kind: string;
  readonly good: boolean;
}

/** A small deterministic generator (mulberry32), so a failing corpus can be made again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pngChunk(type: string, data: Buffer, goodCrc = true): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(goodCrc ? crc32(Buffer.concat([head.subarray(4), data])) : 0, 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An 8-bit grey PNG whose header says `width`×`height`, over whatever IDAT data it is given. */
function png(width: number, height: number, idat: Buffer, extra: Buffer[] = [], goodCrc = true): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width >>> 0, 0);
  ihdr.writeUInt32BE(height >>> 0, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grey
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr, goodCrc),
    ...extra,
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A grey PNG of zeros: real pixel data, a few hundred KB, hundreds of MB once decoded. */
function pngBomb(side: number): Buffer {
  return png(side, side, deflateSync(Buffer.alloc((side + 1) * side), { level: 9 }));
}

/** Small valid images in every format the CLI reads; bit flips and cuts start from these. */
async function seeds(source: string): Promise<Record<string, Buffer>> {
  const base = sharp(source).resize(24, 24);
  return {
    png: await base.clone().png().toBuffer(),
    'alpha.png': await base.clone().ensureAlpha(0.5).png({ palette: true }).toBuffer(),
    jpg: await base.clone().jpeg().toBuffer(),
    'progressive.jpg': await base.clone().jpeg({ progressive: true }).toBuffer(),
    webp: await base.clone().webp().toBuffer(),
    gif: await base.clone().gif().toBuffer(),
    tif: await base.clone().tiff({ compression: 'lzw' }).toBuffer(),
    avif: await base.clone().avif({ effort: 0 }).toBuffer(),
  };
}

function ext(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Lying headers: small files that declare enormous or impossible sizes. */
function lyingHeaders(jpeg: Buffer): Record<string, Buffer> {
  const tiny = deflateSync(Buffer.alloc(16));
  const files: Record<string, Buffer> = {};
  for (const [w, h] of [
    [100_000, 100_000],
    [65_535, 65_535],
    [0x7fffffff, 1],
    [1, 0x7fffffff],
    [0xffffffff, 0xffffffff],
    [0, 0],
    [0, 24],
  ] as const) {
    files[`png-${w}x${h}.png`] = png(w, h, tiny);
    files[`png-${w}x${h}-bad-crc.png`] = png(w, h, tiny, [], false);
  }
  // JPEG: the start-of-frame height and width (after FF C0, length, precision) rewritten.
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  for (const [w, h] of [
    [65_535, 65_535],
    [60_000, 60_000],
    [0, 0],
  ] as const) {
    const lie = Buffer.from(jpeg);
    lie.writeUInt16BE(h, sof + 5);
    lie.writeUInt16BE(w, sof + 7);
    files[`jpeg-${w}x${h}.jpg`] = lie;
  }
  // GIF: logical screen and image descriptor of 65535×65535 around a tiny LZW stream.
  const gif = Buffer.from(
    'GIF89a\xff\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\xff\xff\xff\xff\x00\x02\x02D\x01\x00;',
    'latin1',
  );
  files['gif-65535.gif'] = gif;
  // WebP VP8X canvas of 16384×16384 (24-bit fields hold size − 1) with no image data.
  const vp8x = Buffer.alloc(30);
  vp8x.write('RIFF', 0, 'latin1');
  vp8x.writeUInt32LE(22, 4);
  vp8x.write('WEBPVP8X', 8, 'latin1');
  vp8x.writeUInt32LE(10, 16);
  vp8x.writeUIntLE(16_383, 24, 3);
  vp8x.writeUIntLE(16_383, 27, 3);
  files['webp-vp8x-16384.webp'] = vp8x;
  // TIFF: one strip of a 4294967295×4294967295 image that points past the end of the file.
  const tiff = Buffer.alloc(8 + 2 + 5 * 12 + 4);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(5, 8);
  [
    [256, 4, 0xffffffff], // ImageWidth
    [257, 4, 0xffffffff], // ImageLength
    [258, 3, 8], // BitsPerSample
    [273, 4, 0x7fffffff], // StripOffsets
    [279, 4, 0x7fffffff], // StripByteCounts
  ].forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    tiff.writeUInt16LE(tag as number, at);
    tiff.writeUInt16LE(type as number, at + 2);
    tiff.writeUInt32LE(1, at + 4);
    tiff.writeUInt32LE(value as number, at + 8);
  });
  files['tiff-huge.tif'] = tiff;
  return files;
}

/**
 * Writes the corpus into `dir`: bit flips, truncations, lying headers, decompression bombs, wrong
 * extensions, empty files, random bytes, device files, a FIFO and missing paths, plus `good` copies of
 * the real images in `goodImages` (each used once).
 */
export async function writeCorpus(dir: string, goodImages: readonly string[]): Promise<CorpusFile[]> {
  mkdirSync(dir, { recursive: true });
  const next = random(20_260_130);
  const corpus: CorpusFile[] = [];
  const add = (name: string, bytes: Buffer, kind: string, good = false) => {
    writeFileSync(join(dir, name), bytes);
    corpus.push({ path: join(dir, name), kind, good });
  };
  const seed = await seeds(goodImages[0] as string);
  for (const [name, bytes] of Object.entries(seed)) {
    for (let i = 0; i < 20; i++) {
      const flipped = Buffer.from(bytes);
      const flips = 1 + Math.floor(next() * 4);
      // Most flips land in the first 64 bytes, where headers are.
      for (let f = 0; f < flips; f++) {
        const at = Math.floor(next() * (next() < 0.6 ? Math.min(64, flipped.length) : flipped.length));
        flipped[at] = (flipped[at] as number) ^ (1 << Math.floor(next() * 8));
      }
      add(`flip-${i}-${name}`, flipped, 'bit flip');
    }
    for (const cut of [1, 4, 8, 12, 16, 33, 0.5, 0.9, -1]) {
      const end = cut < 0 ? bytes.length + cut : cut < 1 ? Math.floor(bytes.length * cut) : cut;
      add(`cut-${end}-${name}`, bytes.subarray(0, end), 'truncation');
    }
    // Right content, wrong extension: the CLI reads content, so these must work.
    add(
      `renamed-${name.replace('.', '-')}.${ext(name) === 'png' ? 'jpg' : 'png'}`,
      bytes,
      'wrong extension',
      true,
    );
    add(
      `magic-noise-${name}`,
      Buffer.concat([bytes.subarray(0, 12), randomBytes(next, 600)]),
      'random bytes',
    );
  }
  for (const [name, bytes] of Object.entries(lyingHeaders(seed.jpg as Buffer)))
    add(name, bytes, 'lying header');
  add('bomb-16384.png', pngBomb(16_384), 'decompression bomb');
  add('bomb-4096.png', pngBomb(4096), 'decompression bomb');
  const inflated = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  const text = Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), inflated]);
  const profile = Buffer.concat([Buffer.from('icc\0\0', 'latin1'), inflated]);
  const small = deflateSync(Buffer.alloc(25 * 24));
  add('bomb-ztxt.png', png(24, 24, small, [pngChunk('zTXt', text)]), 'decompression bomb');
  add('bomb-iccp.png', png(24, 24, small, [pngChunk('iCCP', profile)]), 'decompression bomb');
  for (const extension of ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'avif'])
    add(`empty.${extension}`, Buffer.alloc(0), 'empty');
  const notImages = {
    'text.png': 'not an image at all\n',
    'page.jpg': '<!doctype html><title>404</title>',
    'data.webp': '{"width": 24, "height": 24}',
    'doc.tif': '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n',
    'archive.gif': 'PK\x03\x04\x14\x00\x00\x00\x08\x00',
    'program.png': '\x7fELF\x02\x01\x01\x00',
  };
  for (const [name, content] of Object.entries(notImages))
    add(name, Buffer.from(content, 'latin1'), 'wrong extension');
  for (let i = 0; i < 24; i++)
    add(`noise-${i}.png`, randomBytes(next, 1 + Math.floor(next() * 4000)), 'random bytes');
  return [...corpus, ...specialFiles(dir), ...goods(dir, goodImages)];
}

function randomBytes(next: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
}

/** Paths that are not regular files, or not there at all. */
function specialFiles(dir: string): CorpusFile[] {
  execFileSync('mkfifo', [join(dir, 'fifo.png')]);
  symlinkSync('/dev/zero', join(dir, 'zero-link.png'));
  symlinkSync(join(dir, 'nowhere.png'), join(dir, 'dangling-link.png'));
  return [
    ...['/dev/zero', '/dev/null', '/dev/urandom'].map((path) => ({ path, kind: 'device', good: false })),
    { path: join(dir, 'fifo.png'), kind: 'fifo', good: false },
    { path: join(dir, 'zero-link.png'), kind: 'device', good: false },
    { path: join(dir, 'dangling-link.png'), kind: 'missing', good: false },
    { path: join(dir, 'missing.jpg'), kind: 'missing', good: false },
  ];
}

function goods(dir: string, images: readonly string[]): CorpusFile[] {
  return images.map((image, i) => {
    const path = join(dir, `good-${i}-${image.slice(image.lastIndexOf('/') + 1)}`);
    copyFileSync(image, path);
    return { path, kind: 'good', good: true };
  });
}
