import { closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { type SniffedFormat, sniffFormat } from '../io/format-sniff.js';

/** File extensions picked up when a folder or glob is given. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.avif', '.tif', '.tiff', '.gif'];

const isImage = (path: string) => IMAGE_EXTENSIONS.includes(extname(path).toLowerCase());

const OWN_OUTPUT = /^(.+)_(x\d+|sized)(-\d+)?$/;

/**
 * Drops this tool's earlier outputs from a folder's or glob's matches (`a_x4.png` beside `a.png`), so running
 * the same command again does not upscale them (`a_x4_x4.png`). A file named so without its source stays.
 */
export function withoutOwnOutputs(paths: readonly string[]): string[] {
  const stems = new Set(paths.map((p) => join(dirname(p), basename(p, extname(p)))));
  return paths.filter((p) => {
    const source = OWN_OUTPUT.exec(basename(p, extname(p)))?.[1];
    return source === undefined || !stems.has(join(dirname(p), source));
  });
}

/**
 * Expands the CLI's inputs: files as given (whatever their extension, so a bad file is reported, not
 * skipped), image files directly inside folders, and glob patterns.
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    if (existsSync(input) && statSync(input).isDirectory()) {
      const entries = await readdir(input, { withFileTypes: true });
      files.push(
        ...withoutOwnOutputs(
          entries
            .filter((e) => e.isFile() && isImage(e.name))
            .map((e) => join(input, e.name))
            .sort(),
        ),
      );
    } else if (!existsSync(input) && /[*?[\]{}]/.test(input)) {
      files.push(...withoutOwnOutputs((await glob(input, { onlyFiles: true })).filter(isImage).sort()));
    } else {
      files.push(input);
    }
  }
  return [...new Set(files.map((f) => resolve(f)))].map(
    (abs) => files.find((f) => resolve(f) === abs) as string,
  );
}

/** The format a file's content announces; undefined for unreadable, non-regular or unknown files. */
export function sniffFile(path: string): SniffedFormat | undefined {
  let fd: number | undefined;
  try {
    // Non-blocking, and regular files only: a FIFO or device must not hang the planning step.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return undefined;
    const head = new Uint8Array(32);
    return sniffFormat(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
