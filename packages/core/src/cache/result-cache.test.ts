import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryFolder } from '../test-support/fixture-images.js';
import { ResultCache, resultCacheKey } from './result-cache.js';

const work = temporaryFolder('result-cache');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function entryFile(dir: string): string {
  const [bucket] = readdirSync(dir);
  const [name] = readdirSync(join(dir, bucket as string));
  return join(dir, bucket as string, name as string);
}

describe('ResultCache', () => {
  it('serves what it stored', async () => {
    const cache = new ResultCache(join(work, 'a'));
    const key = resultCacheKey({ source: 'x' });
    await cache.set(key, Buffer.from('image bytes'), { width: 288, format: 'png' });
    expect(await cache.get(key)).toEqual({
      data: Buffer.from('image bytes'),
      metadata: { width: 288, format: 'png' },
    });
  });

  it('drops an entry whose metadata was edited, as it drops damaged bytes', async () => {
    const cache = new ResultCache(join(work, 'b'));
    const key = resultCacheKey({ source: 'y' });
    await cache.set(key, Buffer.from('image bytes'), { width: 288, format: 'png' });
    const file = entryFile(join(work, 'b'));
    writeFileSync(file, readFileSync(file, 'utf8').replace('"width":288', '"width":999'));
    expect(await cache.get(key)).toBeUndefined();
    await cache.set(key, Buffer.from('image bytes'), { width: 288, format: 'png' });
    const bytes = readFileSync(entryFile(join(work, 'b')));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(entryFile(join(work, 'b')), bytes);
    expect(await cache.get(key)).toBeUndefined();
  });

  it('does not serve an entry under another key', async () => {
    const dir = join(work, 'c');
    const cache = new ResultCache(dir);
    const key = resultCacheKey({ source: 'z' });
    await cache.set(key, Buffer.from('image bytes'), { width: 1 });
    const stored = readFileSync(entryFile(dir));
    const other = resultCacheKey({ source: 'w' });
    const target = join(dir, other.slice(0, 2), `${other}.bin`);
    mkdirSync(join(dir, other.slice(0, 2)), { recursive: true });
    writeFileSync(target, stored);
    expect(await cache.get(other)).toBeUndefined();
  });
});
