import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { SwinupError } from '../errors.js';
import type { ImageInput } from '../io/image-codec.js';

/**
 * The output rules checked before any work: without `overwrite`, never the input file itself and never an
 * existing file. Returns the absolute target.
 */
export function checkOutputTarget(input: ImageInput, output: string, overwrite: boolean): string {
  const target = resolvePath(output);
  if (overwrite) return target;
  if (typeof input === 'string' && resolvePath(input) === target) {
    throw new SwinupError(
      'OUTPUT_FAILED',
      `output ${output} is the input file; pass overwrite to replace it`,
    );
  }
  if (existsSync(target)) {
    throw new SwinupError('OUTPUT_FAILED', `output ${output} exists; pass overwrite to replace it`);
  }
  return target;
}

/**
 * Writes the result atomically. Without `overwrite` the rule holds at the final step too: a file that
 * appeared while upscaling (another process, another job) is never replaced.
 */
export async function writeOutput(
  target: string,
  output: string,
  data: Buffer,
  overwrite: boolean,
): Promise<void> {
  try {
    await writeFileAtomic(target, data, { exclusive: !overwrite });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new SwinupError(
        'OUTPUT_FAILED',
        `output ${output} was created by something else while upscaling; it was not replaced ` +
          '(pass overwrite to replace it)',
        { cause: error },
      );
    }
    throw new SwinupError('OUTPUT_FAILED', `cannot write ${output}: ${code ?? (error as Error).message}`, {
      cause: error,
    });
  }
}
