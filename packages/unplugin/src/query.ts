import type { OutputFormat, UpscaleOptions } from '@swinup/core';

/** What an upscaled import gives the code: the emitted asset's URL, or its metadata. */
export type ImportAs = 'url' | 'meta';

/** Per-image settings, from an import's query or from the plugin's `defaults`. */
export interface UpscaleSettings {
  /** Enlargement factor (`?upscale=4`); default: the model's own scale. */
  scale?: number;
  /** Exact output width; the height follows the aspect ratio unless `height` is set too. */
  width?: number;
  /** Exact output height. */
  height?: number;
  /** Output format; default: the source's (PNG when it cannot be written). */
  format?: OutputFormat;
  /** Quality 1–100 for JPEG, WebP and AVIF. */
  quality?: number;
  /** Catalog id of the model (see `swinup models list`); default: the catalog's default. */
  model?: string;
}

/** A parsed `?upscale…` query. */
export interface UpscaleQuery {
  readonly settings: UpscaleSettings;
  readonly as: ImportAs;
}

const FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp', 'avif', 'tiff'];
const QUERY_KEYS = ['upscale', 'width', 'height', 'format', 'quality', 'model', 'as'] as const;
const SETTING_KEYS = ['scale', 'width', 'height', 'format', 'quality', 'model'] as const;

/** Matches an import id that opts in with the `upscale` query key. */
export const UPSCALE_QUERY = /[?&]upscale(?:[=&]|$)/;

/** Splits an import id into its file path and its query (without the `?`). */
export function splitQuery(id: string): [file: string, query: string] {
  const at = id.indexOf('?');
  return at < 0 ? [id, ''] : [id.slice(0, at), id.slice(at + 1)];
}

function invalid(option: string, value: unknown, allowed: string, where: string): Error {
  return new Error(`Invalid option ${option} in ${where}: ${JSON.stringify(value)}; expected ${allowed}`);
}

function integer(option: string, value: unknown, min: number, max: number, where: string) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalid(option, value, `an integer from ${min} to ${max}`, where);
  return value;
}

function checkSettings(raw: Record<string, unknown>, scaleName: string, where: string): UpscaleSettings {
  const settings: UpscaleSettings = {
    scale: integer(scaleName, raw.scale, 1, 16, where),
    width: integer('width', raw.width, 1, 1_000_000, where),
    height: integer('height', raw.height, 1, 1_000_000, where),
    quality: integer('quality', raw.quality, 1, 100, where),
  };
  if (settings.scale !== undefined && (settings.width !== undefined || settings.height !== undefined))
    throw invalid(scaleName, settings.scale, 'either a scale or width/height, not both', where);
  if (raw.format !== undefined) {
    const format = raw.format === 'jpg' ? 'jpeg' : raw.format;
    if (!FORMATS.includes(format as OutputFormat))
      throw invalid('format', raw.format, `one of ${FORMATS.join(', ')} (or jpg)`, where);
    settings.format = format as OutputFormat;
  }
  if (raw.model !== undefined) {
    if (typeof raw.model !== 'string' || raw.model === '')
      throw invalid('model', raw.model, 'a model id (see `swinup models list`)', where);
    settings.model = raw.model;
  }
  return settings;
}

/**
 * Parses the query of an import (`upscale`, `upscale=4`, `upscale&width=1920&format=webp&model=ID`,
 * `…&as=meta`). Returns undefined when the query has no `upscale` key; throws an error naming the
 * option, its value and what is allowed for an unknown key or a bad value.
 */
export function parseUpscaleQuery(query: string): UpscaleQuery | undefined {
  const params = new URLSearchParams(query);
  if (!params.has('upscale')) return undefined;
  const where = `?${query}`;
  const raw: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (!(QUERY_KEYS as readonly string[]).includes(key))
      throw invalid(key, value, `one of the query keys ${QUERY_KEYS.join(', ')}`, where);
    if (key in raw) throw invalid(key, value, 'each key once', where);
    // Numbers stay strings unless they are plain digits, so "1e3" or "4.5" fail the integer check.
    raw[key] = /^\d+$/.test(value) ? Number(value) : value;
  }
  const { upscale, as = 'url', ...rest } = raw;
  if (as !== 'url' && as !== 'meta') throw invalid('as', as, 'url or meta', where);
  return {
    settings: checkSettings({ ...rest, scale: upscale === '' ? undefined : upscale }, 'upscale', where),
    as,
  };
}

/** Validates the plugin's `defaults` with the same rules as a query. */
export function checkDefaults(defaults: unknown): UpscaleSettings {
  const where = 'the plugin option defaults';
  if (defaults === undefined) return {};
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults))
    throw invalid('defaults', defaults, 'an object', 'the plugin options');
  for (const key of Object.keys(defaults)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key))
      throw invalid(
        key,
        (defaults as Record<string, unknown>)[key],
        `one of ${SETTING_KEYS.join(', ')}`,
        where,
      );
  }
  return checkSettings(defaults as Record<string, unknown>, 'scale', where);
}

/** An import's settings over the defaults; any size in the import replaces the default size entirely. */
export function mergeSettings(defaults: UpscaleSettings, own: UpscaleSettings): UpscaleSettings {
  const sized = own.scale !== undefined || own.width !== undefined || own.height !== undefined;
  const base = sized ? { ...defaults, scale: undefined, width: undefined, height: undefined } : defaults;
  const given = Object.entries(own).filter(([, value]) => value !== undefined);
  return { ...base, ...Object.fromEntries(given) };
}

/** The core's per-image options for some settings (the model picks the upscaler instead). */
export function toUpscaleOptions(settings: UpscaleSettings): UpscaleOptions {
  const { model: _model, ...options } = settings;
  return options;
}

/** The id of the URL import of the same image: a `?upscale…&as=meta` id without its `as` key. */
export function urlVariantOf(id: string): string {
  const [file, query] = splitQuery(id);
  const kept = query.split('&').filter((part) => part !== 'as' && !part.startsWith('as='));
  return `${file}?${kept.join('&')}`;
}
