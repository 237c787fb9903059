import type { SwinupErrorCode } from '../errors.js';
import { SwinupError } from '../errors.js';

/** Few runs per property keep each file within seconds; fast-check prints the seed of a failure to replay it. */
export const PROPERTY_RUNS = { numRuns: 120 };

/**
 * Runs `work` and lets it succeed or fail with a {@link SwinupError} of `code` (whose message matches
 * `message`, when given); any other error is rethrown as a property failure.
 */
export async function failsOnlyWith(
  code: SwinupErrorCode,
  work: () => unknown,
  message?: RegExp,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof SwinupError) || error.code !== code || (message && !message.test(error.message)))
      throw new Error(
        `expected success or ${code}${message ? ` matching ${message}` : ''}, got ${String(error)}`,
        {
          cause: error,
        },
      );
  }
}
