import { checkUpscaleSettings, SwinupError, type UpscaleSettings } from '@swinup/core/adapter';

export type { UpscaleSettings } from '@swinup/core/adapter';

/** What an upscaled import gives the code: the emitted asset's URL, or its metadata. */
export type ImportAs = 'url' | 'meta';

/** A parsed `?upscale…` query. */
export interface UpscaleQuery {
  readonly settings: UpscaleSettings;
  readonly as: ImportAs;
}

const QUERY_KEYS = ['upscale', 'width', 'height', 'format', 'quality', 'model', 'as'] as const;

/** Matches an import id that opts in with the `upscale` query key. */
export const UPSCALE_QUERY = /[?&]upscale(?:[=&]|$)/;

/** Splits an import id into its file path and its query (without the `?`). */
export function splitQuery(id: string): [file: string, query: string] {
  const at = id.indexOf('?');
  return at < 0 ? [id, ''] : [id.slice(0, at), id.slice(at + 1)];
}

function invalid(option: string, value: unknown, allowed: string, where: string): SwinupError {
  return new SwinupError(
    'INVALID_OPTION',
    `Invalid option ${option} in ${where}: ${JSON.stringify(value)}; expected ${allowed}`,
  );
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
    settings: checkUpscaleSettings(
      { ...rest, scale: upscale === '' ? undefined : upscale },
      { where, scaleName: 'upscale' },
    ),
    as,
  };
}

/** Validates the plugin's `defaults` with the same rules as a query. */
export function checkDefaults(defaults: unknown): UpscaleSettings {
  if (
    defaults !== undefined &&
    (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults))
  )
    throw invalid('defaults', defaults, 'an object', 'the plugin options');
  return checkUpscaleSettings(defaults, { where: 'the plugin option defaults' });
}

/** The id of the URL import of the same image: a `?upscale…&as=meta` id without its `as` key. */
export function urlVariantOf(id: string): string {
  const [file, query] = splitQuery(id);
  const kept = query.split('&').filter((part) => part !== 'as' && !part.startsWith('as='));
  return `${file}?${kept.join('&')}`;
}
