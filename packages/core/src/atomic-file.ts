import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temporary files are `.<name>.<pid>.<8 hex>.tmp`: the pid tells whether their writer still runs. */
const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;
/** Temporaries younger than this are left alone even when their pid is gone (a pid from another container). */
const STALE_AFTER_MS = 60_000;

/** Path of a temporary sibling of `target`, on the same file system so `rename` is atomic. */
export function temporarySibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const swept = new Set<string>();

/**
 * Removes the temporary files that processes killed mid-write (kill -9, power loss) left in `dir`: once per
 * folder and process, only files of this tool's naming whose writer is gone. Never fails the caller.
 */
export async function sweepStaleTemporaries(dir: string, now = Date.now()): Promise<string[]> {
  if (swept.has(dir)) return [];
  swept.add(dir);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = Number(TEMPORARY.exec(name)?.[1]);
    if (!pid || pid === process.pid || processIsAlive(pid)) continue;
    const path = join(dir, name);
    try {
      const info = await stat(path);
      if (!info.isFile() || now - info.mtimeMs < STALE_AFTER_MS) continue;
      await rm(path, { force: true });
      removed.push(path);
    } catch {
      // Another process swept it first.
    }
  }
  return removed;
}

/** How {@link writeFileAtomic} treats an existing target. */
export interface AtomicWriteOptions {
  /** Fail with EEXIST instead of replacing a target that exists when the write completes. */
  readonly exclusive?: boolean;
}

/**
 * Writes `data` to `target` via a temporary file and a rename: readers see the old file or the whole new one.
 * With `exclusive`, the last step is a hard link, which fails if the target appeared meanwhile, so a file
 * another process wrote is never replaced.
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await sweepStaleTemporaries(dirname(target));
  const temporary = temporarySibling(target);
  try {
    await writeFile(temporary, data, { flag: 'wx' });
    if (options.exclusive) await placeExclusively(temporary, target);
    else await rename(temporary, target);
  } finally {
    await rm(temporary, { force: true });
  }
}

async function placeExclusively(temporary: string, target: string): Promise<void> {
  try {
    await link(temporary, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    // File systems without hard links: an exclusive copy still refuses an existing target.
    await copyFile(temporary, target, constants.COPYFILE_EXCL);
  }
}
