import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryFolder } from '../test-support/fixture-images.js';
import { sharedPath } from '../test-support/shared-data.js';
import { createUpscaler } from './upscaler.js';

const work = temporaryFolder('pipeline-inputs');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('inputs that never end', () => {
  it('refuses a device or FIFO as the model, naming it', async () => {
    await expect(createUpscaler({ model: '/dev/zero', device: 'cpu' })).rejects.toThrow(
      /\/dev\/zero: cannot read checkpoint: not a regular file/,
    );
    const fifo = join(work, 'model.pth');
    execFileSync('mkfifo', [fifo]);
    await expect(createUpscaler({ model: fifo, device: 'cpu' })).rejects.toThrow(
      /model\.pth: cannot read checkpoint/,
    );
  });

  it('refuses a device as the image', async () => {
    const upscaler = await createUpscaler({ device: 'cpu', cacheDir: join(work, 'cache') });
    try {
      await expect(upscaler.upscale('/dev/urandom')).rejects.toThrow(/cannot read image: not a regular file/);
    } finally {
      await upscaler.close();
    }
  });
});

describe('the result cache', () => {
  const bird = sharedPath('images/set5/LR_bicubic/X4/birdx4.png');

  it('only warns when it cannot store a result', async () => {
    const blocker = join(work, 'not-a-folder');
    writeFileSync(blocker, 'a file where the cache folder would go');
    const warnings: string[] = [];
    const upscaler = await createUpscaler({
      device: 'cpu',
      cacheDir: join(work, 'cache'),
      resultCacheDir: join(blocker, 'results'),
      logger: { debug() {}, info() {}, warn: (m) => warnings.push(m) },
    });
    try {
      const { info } = await upscaler.upscale(bird);
      expect([info.width, info.height]).toEqual([288, 288]);
      expect(warnings.join('\n')).toMatch(/could not store the result in the cache .*not-a-folder/);
    } finally {
      await upscaler.close();
    }
  });

  it('lets identical requests finish when one caller aborts', async () => {
    const upscaler = await createUpscaler({
      device: 'cpu',
      cacheDir: join(work, 'cache'),
      resultCacheDir: join(work, 'results'),
    });
    try {
      const quitter = new AbortController();
      const first = upscaler.upscale(bird, { signal: quitter.signal, format: 'webp' });
      const second = upscaler.upscale(bird, { format: 'webp' });
      quitter.abort();
      await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
      const { info } = await second;
      expect([info.width, info.height, info.format]).toEqual([288, 288, 'webp']);
    } finally {
      await upscaler.close();
    }
  });
});

describe('outputs that appear while upscaling', () => {
  const bird = sharedPath('images/set5/LR_bicubic/X4/birdx4.png');

  it('are not replaced without overwrite', async () => {
    const upscaler = await createUpscaler({ device: 'cpu', cacheDir: join(work, 'cache') });
    try {
      const target = join(work, 'appears.png');
      const run = upscaler.upscaleToFile(bird, target, {
        onProgress: () => {
          if (!existsSync(target)) writeFileSync(target, 'written by someone else');
        },
      });
      await expect(run).rejects.toThrow(/appears\.png was created by something else while upscaling/);
      expect(readFileSync(target, 'utf8')).toBe('written by someone else');
    } finally {
      await upscaler.close();
    }
  });

  it('are written by exactly one of two concurrent writers', async () => {
    const upscaler = await createUpscaler({ device: 'cpu', cacheDir: join(work, 'cache') });
    try {
      const target = join(work, 'race.png');
      const outcomes = await Promise.allSettled([
        upscaler.upscaleToFile(bird, target),
        upscaler.upscaleToFile(bird, target, { format: 'png', quality: 90 }),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    } finally {
      await upscaler.close();
    }
  });
});
