import type { OutgoingHttpHeaders } from 'node:http';
import { SwinupError, type SwinupErrorCode } from '../errors.js';
import { QueueFullError } from './job-queue.js';

/** An answer other than 200, with the code and message the client shows. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message);
  }
}

const STATUS_OF_CODE: Partial<Record<SwinupErrorCode, number>> = {
  INVALID_OPTION: 400,
  INVALID_IMAGE: 422,
  IMAGE_TOO_LARGE: 422,
  MODEL_NOT_FOUND: 503,
  DEVICE_UNAVAILABLE: 503,
};

/** The answer for an error, or undefined when nobody is left to answer (the client went away). */
export function httpErrorOf(error: unknown, closing: boolean, noun = 'the server'): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof QueueFullError)
    return new HttpError(503, 'QUEUE_FULL', error.message, { 'Retry-After': '5' });
  if (error instanceof SwinupError) {
    if (error.code === 'ABORTED')
      return closing ? new HttpError(503, 'SHUTTING_DOWN', `${noun} is shutting down`) : undefined;
    return new HttpError(STATUS_OF_CODE[error.code] ?? 500, error.code, error.message);
  }
  return new HttpError(500, 'INTERNAL', error instanceof Error ? error.message : String(error));
}
