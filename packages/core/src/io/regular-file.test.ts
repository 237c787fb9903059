import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryFolder } from '../test-support/fixture-images.js';
import { readRegularFile } from './regular-file.js';

const work = temporaryFolder('regular-file');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const read = (path: string, maxBytes = 1000) =>
  readRegularFile(path, { maxBytes, what: 'image', code: 'INVALID_IMAGE' });

describe('readRegularFile', () => {
  it('reads a regular file whole', async () => {
    writeFileSync(join(work, 'a.bin'), 'hello');
    expect(Buffer.from(await read(join(work, 'a.bin'))).toString()).toBe('hello');
  });

  it('refuses a device that never ends, without reading it', async () => {
    await expect(read('/dev/zero')).rejects.toThrow(/not a regular file \(a device, pipe or socket\)/);
    await expect(read('/dev/urandom')).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
  });

  it('refuses a named pipe without waiting for a writer', async () => {
    const fifo = join(work, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    await expect(read(fifo)).rejects.toThrow(/not a regular file/);
  });

  it('refuses a folder and a file over the limit before reading it', async () => {
    mkdirSync(join(work, 'folder'));
    await expect(read(join(work, 'folder'))).rejects.toThrow(/is a folder/);
    writeFileSync(join(work, 'big.bin'), Buffer.alloc(2000));
    await expect(read(join(work, 'big.bin'))).rejects.toThrow(/2000 bytes, more than the 1000 allowed/);
  });
});
