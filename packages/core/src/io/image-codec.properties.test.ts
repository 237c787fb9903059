import * as fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, it } from 'vitest';
import { failsOnlyWith, PROPERTY_RUNS } from '../test-support/properties.js';
import { decodeImage, inspectImage, loadBytes } from './image-codec.js';

/** Inspect, then decode what the pipeline would decode (it refuses huge declared sizes first). */
async function decode(bytes: Uint8Array): Promise<void> {
  const source = await inspectImage(bytes);
  if (source.width * source.height <= 4_000_000) await decodeImage(source);
}

describe('image decoding of damaged input', () => {
  let seeds: Buffer[];
  beforeAll(async () => {
    const base = sharp({ create: { width: 20, height: 12, channels: 4, background: '#3a7c' } });
    seeds = await Promise.all([
      base.clone().png().toBuffer(),
      base.clone().png({ palette: true }).toBuffer(),
      base.clone().jpeg().toBuffer(),
      base.clone().jpeg({ progressive: true }).toBuffer(),
    ]);
  });

  it('gives INVALID_IMAGE, never another error, for mutated PNG and JPEG files', async () => {
    const mutation = fc.record({
      seed: fc.nat(3),
      // Flips mostly within the first 64 bytes, where signatures, IHDR and SOF live.
      flips: fc.array(fc.tuple(fc.oneof(fc.nat(63), fc.nat(4000)), fc.nat(7)), {
        minLength: 1,
        maxLength: 6,
      }),
      cut: fc.option(fc.nat(600)),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ seed, flips, cut }) => {
        const bytes = Buffer.from(seeds[seed] as Buffer);
        for (const [at, bit] of flips) if (at < bytes.length) bytes[at] = (bytes[at] as number) ^ (1 << bit);
        await failsOnlyWith('INVALID_IMAGE', () => decode(cut === null ? bytes : bytes.subarray(0, cut)));
      }),
      PROPERTY_RUNS,
    );
  });

  it('gives INVALID_IMAGE for random bytes, bare or behind a real signature', async () => {
    const magic = fc.constantFrom(
      [],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      [0xff, 0xd8, 0xff],
      [...Buffer.from('GIF89a')],
      [...Buffer.from('RIFF\0\0\0\0WEBPVP8 ')],
      [0x49, 0x49, 0x2a, 0],
    );
    const bytes = fc
      .tuple(magic, fc.uint8Array({ maxLength: 1500 }))
      .map(([head, tail]) => Uint8Array.from([...head, ...tail]));
    await fc.assert(
      fc.asyncProperty(bytes, (b) => failsOnlyWith('INVALID_IMAGE', () => decode(b))),
      PROPERTY_RUNS,
    );
  });

  it('gives INVALID_IMAGE for paths that are not readable image files', async () => {
    const path = fc.oneof(
      fc.constantFrom(
        '',
        '/',
        '.',
        '/dev/null',
        '/dev/zero',
        'src',
        'package.json',
        'missing.png',
        'a\0b.png',
      ),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(path, (p) => failsOnlyWith('INVALID_IMAGE', async () => decode(await loadBytes(p)))),
      { numRuns: 60 },
    );
  });
});
