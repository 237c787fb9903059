import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';

/** File extensions picked up when a folder or glob is given. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.avif', '.tif', '.tiff', '.gif'];

const isImage = (path: string) => IMAGE_EXTENSIONS.includes(extname(path).toLowerCase());

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
        ...entries
          .filter((e) => e.isFile() && isImage(e.name))
          .map((e) => join(input, e.name))
          .sort(),
      );
    } else if (!existsSync(input) && /[*?[\]{}]/.test(input)) {
      files.push(...(await glob(input, { onlyFiles: true })).filter(isImage).sort());
    } else {
      files.push(input);
    }
  }
  return [...new Set(files.map((f) => resolve(f)))].map(
    (abs) => files.find((f) => resolve(f) === abs) as string,
  );
}

/** Output path of one input: `-o` as a file, inside `-o` as a folder, or beside the input with a suffix. */
export function outputPathFor(
  input: string,
  output: string | undefined,
  outputIsDir: boolean,
  extension: string,
  suffix: string,
): string {
  const stem = basename(input, extname(input));
  if (output === undefined) return join(resolve(input, '..'), `${stem}${suffix}.${extension}`);
  if (outputIsDir) return join(output, `${stem}.${extension}`);
  return output;
}
