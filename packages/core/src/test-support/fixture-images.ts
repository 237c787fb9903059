import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { sharedPath } from './shared-data.js';

/** A fresh temporary folder for one test file. */
export function temporaryFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `swinup-${prefix}-`));
}

const BIRD = () => sharedPath('images/set5/LR_bicubic/X4/birdx4.png');

/** Writes the test images the pipeline must handle into `dir` and returns their paths. */
export async function makeFixtureImages(dir: string) {
  const bird = sharp(BIRD()).resize(48, 40);
  const paths = {
    alpha: join(dir, 'alpha.png'),
    cmyk: join(dir, 'cmyk.jpg'),
    rotated: join(dir, 'rotated.jpg'),
    grey: join(dir, 'grey.png'),
    sixteen: join(dir, 'sixteen.png'),
    gif: join(dir, 'animated.gif'),
    webp: join(dir, 'photo.webp'),
    truncated: join(dir, 'truncated.png'),
    text: join(dir, 'notes.jpg'),
    empty: join(dir, 'empty.png'),
    huge: join(dir, 'huge.png'),
  };
  // A disc on a fully transparent background whose hidden colour is black: the classic fringe trap.
  const disc = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="14" fill="#ffd040"/></svg>',
  );
  await sharp(disc).png().toFile(paths.alpha);
  await bird.clone().toColourspace('cmyk').withIccProfile('cmyk').jpeg({ quality: 95 }).toFile(paths.cmyk);
  await bird
    .clone()
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Artist: 'swinup tests', Copyright: 'CC0' } })
    .jpeg({ quality: 95 })
    .toFile(paths.rotated);
  await bird.clone().greyscale().toColourspace('b-w').png().toFile(paths.grey);
  await bird.clone().toColourspace('rgb16').png().toFile(paths.sixteen);
  await bird.clone().webp({ quality: 90 }).toFile(paths.webp);
  const frames = await Promise.all(
    ['#f00', '#0f0'].map((fill) =>
      sharp({ create: { width: 24, height: 16, channels: 3, background: fill } })
        .raw()
        .toBuffer(),
    ),
  );
  await sharp(Buffer.concat(frames), { raw: { width: 24, height: 32, channels: 3, pageHeight: 16 } })
    .gif()
    .toFile(paths.gif);
  const png = await bird.clone().png().toBuffer();
  writeFileSync(paths.truncated, png.subarray(0, Math.floor(png.length / 2)));
  writeFileSync(paths.text, 'this is a text file, not a JPEG\n');
  writeFileSync(paths.empty, '');
  writeFileSync(paths.huge, pngHeaderOnly(100_000, 100_000));
  return paths;
}

/** A valid PNG that claims width×height but holds no pixel data: cheap to make, huge if decoded. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(0))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Reads an output image's metadata and raw pixels. */
export async function inspect(data: Buffer | string) {
  const meta = await sharp(data).metadata();
  const { data: pixels, info } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
  return { meta, pixels, info };
}
