import { randomUUID } from 'node:crypto';
import { checkUpscaleSettings, toUpscaleOptions } from '../adapter/upscale-settings.js';
import type { OutputFormat, UpscaleOptions } from '../options.js';
import { HttpError } from './http-error.js';

const QUERY_KEYS = ['scale', 'width', 'height', 'format', 'quality', 'job'];
const INTEGER_KEYS = ['scale', 'width', 'height', 'quality'];
const JOB_ID = /^[\w-]{1,64}$/;
/** Plain decimal digits: Number() would also take "0x4", "0b100", "1e3", "4.0" or " 4". */
const DECIMAL = /^[0-9]+$/;

function invalid(key: string, value: string, expected: string): HttpError {
  return new HttpError(400, 'INVALID_OPTION', `Invalid option ${key}: "${value}"; expected ${expected}`);
}

/**
 * Per-image options and job id from the query of `POST /upscale`, checked with core's settings rules before
 * the body is read, so a bad option is answered with 400 at once instead of after a wait in the queue.
 */
export function upscaleRequestOf(query: URLSearchParams): { options: UpscaleOptions; jobId: string } {
  const numbers: Record<string, number> = {};
  for (const [key, value] of query) {
    if (!QUERY_KEYS.includes(key)) {
      throw new HttpError(
        400,
        'INVALID_OPTION',
        `unknown query parameter "${key}"; use ${QUERY_KEYS.join(', ')}`,
      );
    }
    if (INTEGER_KEYS.includes(key)) {
      if (!DECIMAL.test(value)) throw invalid(key, value, 'a whole number in decimal digits');
      numbers[key] = Number(value);
    }
  }
  const format = query.get('format');
  const settings = checkUpscaleSettings(
    { ...numbers, ...(format === null ? {} : { format: outputFormatOf(format) }) },
    { where: 'the query' },
  );
  const jobId = query.get('job') ?? randomUUID();
  if (!JOB_ID.test(jobId)) throw invalid('job', jobId, '1–64 letters, digits, _ or -');
  return { options: toUpscaleOptions(settings), jobId };
}

function outputFormatOf(format: string): OutputFormat {
  if (format === 'png') return 'png';
  if (format === 'jpeg' || format === 'jpg') return 'jpeg';
  throw invalid('format', format, 'png or jpeg');
}
