import { SwinupError } from '../errors.js';

/** A usage error: the CLI prints it with the command's help and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs an argument parser (node's parseArgs), turning its errors into usage errors. */
export function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses an integer flag, with a message naming the flag and the allowed range. */
export function integerFlag(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** Parses a number flag. */
export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

/** Exit code for an error: 2 for usage mistakes, 130 for Ctrl-C, 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || (error instanceof SwinupError && error.code === 'INVALID_OPTION'))
    return 2;
  // Only Ctrl-C aborts a command: the shell's code for SIGINT.
  return error instanceof SwinupError && error.code === 'ABORTED' ? 130 : 1;
}
