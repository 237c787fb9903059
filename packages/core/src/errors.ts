/** Stable error codes; adapters map them to their host's conventions. */
export type SwinupErrorCode =
  | 'INVALID_OPTION'
  | 'CHECKPOINT_FORMAT'
  | 'CHECKPOINT_UNSAFE'
  | 'UNKNOWN_ARCHITECTURE'
  | 'INVALID_SHAPE'
  | 'INVALID_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_VERIFY_FAILED'
  | 'DOWNLOAD_FAILED'
  | 'DEVICE_UNAVAILABLE'
  | 'RUNTIME_FAILED'
  | 'OUTPUT_FAILED'
  | 'ABORTED';

/** An error a user can act on: a stable `code`, a message naming what is wrong and what to do. */
export class SwinupError extends Error {
  /** Machine-readable category of the failure. */
  readonly code: SwinupErrorCode;
  /** The file the error is about, when there is one. */
  readonly file: string | undefined;

  constructor(code: SwinupErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwinupError';
    this.code = code;
    this.file = options.file;
  }
}

/** Builds the error for an option whose value is not allowed, naming option, value and what is allowed. */
export function invalidOption(option: string, value: unknown, allowed: string): SwinupError {
  return new SwinupError(
    'INVALID_OPTION',
    `Invalid option ${option}: ${describeValue(value)}; expected ${allowed}`,
  );
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `array of length ${value.length}`;
  return typeof value;
}

/** Attaches a file name to an error's message (once) so batch output says which input failed. */
export function withFile(error: unknown, file: string): SwinupError {
  if (error instanceof SwinupError) {
    if (error.file !== undefined) return error;
    return new SwinupError(error.code, `${file}: ${error.message}`, { file, cause: error.cause });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SwinupError('RUNTIME_FAILED', `${file}: ${message}`, { file, cause: error });
}
