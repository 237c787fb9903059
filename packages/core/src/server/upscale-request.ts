import { randomUUID } from 'node:crypto';
import { checkUpscaleSettings, toUpscaleOptions } from '../adapter/upscale-settings.js';
import type { OutputFormat, UpscaleOptions } from '../options.js';
import { HttpError } from './http-error.js';

const QUERY_KEYS = ['scale', 'width', 'height', 'format', 'quality', 'job'];
const INTEGER_KEYS = ['scale', 'width', 'height', 'quality'];
const MODEL_ID = /^[\w.-]{1,128}$/;
/** Output formats of the bridge (Figma takes PNG and JPEG) and of the studio. */
const BRIDGE_FORMATS: readonly OutputFormat[] = ['png', 'jpeg'];
const STUDIO_FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp', 'avif'];
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
export function upscaleRequestOf(
  query: URLSearchParams,
  accepts: { modelChoice?: boolean } = {},
): { options: UpscaleOptions; jobId: string; model: string | undefined } {
  const numbers: Record<string, number> = {};
  const keys = accepts.modelChoice === true ? [...QUERY_KEYS, 'model'] : QUERY_KEYS;
  const formats = accepts.modelChoice === true ? STUDIO_FORMATS : BRIDGE_FORMATS;
  for (const [key, value] of query) {
    if (!keys.includes(key)) {
      throw new HttpError(400, 'INVALID_OPTION', `unknown query parameter "${key}"; use ${keys.join(', ')}`);
    }
    if (INTEGER_KEYS.includes(key)) {
      if (!DECIMAL.test(value)) throw invalid(key, value, 'a whole number in decimal digits');
      numbers[key] = Number(value);
    }
  }
  const format = query.get('format');
  const settings = checkUpscaleSettings(
    { ...numbers, ...(format === null ? {} : { format: outputFormatOf(format, formats) }) },
    { where: 'the query' },
  );
  const jobId = query.get('job') ?? randomUUID();
  if (!JOB_ID.test(jobId)) throw invalid('job', jobId, '1–64 letters, digits, _ or -');
  const model = query.get('model') ?? undefined;
  if (model !== undefined && !MODEL_ID.test(model)) throw invalid('model', model, 'a model id');
  return { options: toUpscaleOptions(settings), jobId, model };
}

function outputFormatOf(format: string, formats: readonly OutputFormat[]): OutputFormat {
  const name = format === 'jpg' ? 'jpeg' : format;
  const found = formats.find((f) => f === name);
  if (found !== undefined) return found;
  throw invalid('format', format, `${formats.slice(0, -1).join(', ')} or ${formats.at(-1)}`);
}
