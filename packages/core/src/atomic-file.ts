import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Path of a temporary sibling of `target`, on the same file system so `rename` is atomic. */
export function temporarySibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to `target` via a temporary file and a rename: readers see the old file or the whole new one. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temporary = temporarySibling(target);
  try {
    await writeFile(temporary, data, { flag: 'wx' });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
