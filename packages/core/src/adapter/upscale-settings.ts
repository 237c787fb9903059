import { SwinupError } from '../errors.js';
import { OUTPUT_FORMATS, type OutputFormat, type UpscaleOptions } from '../options.js';

/**
 * Per-image settings as build tools and servers take them (a plugin's `defaults`, an import's query, a
 * GraphQL field's arguments, a bridge request): the size, the format and the model.
 */
export interface UpscaleSettings {
  /** Enlargement factor; default: the model's own scale. */
  scale?: number | undefined;
  /** Exact output width; the height follows the aspect ratio unless `height` is set too. */
  width?: number | undefined;
  /** Exact output height. */
  height?: number | undefined;
  /** Output format; default: the source's (PNG when it cannot be written). */
  format?: OutputFormat | undefined;
  /** Quality 1–100 for JPEG, WebP and AVIF. */
  quality?: number | undefined;
  /** Catalog id of the model (see `swinup models list`); default: the catalog's default. */
  model?: string | undefined;
}

/** The keys of {@link UpscaleSettings}. */
export const SETTING_KEYS = ['scale', 'width', 'height', 'format', 'quality', 'model'] as const;

/** Allowed integer ranges of the numeric settings, inclusive, for adapters that build schemas from them. */
export const SETTING_LIMITS = {
  scale: { min: 1, max: 16 },
  width: { min: 1, max: 1_000_000 },
  height: { min: 1, max: 1_000_000 },
  quality: { min: 1, max: 100 },
} as const;

/** Format names accepted in settings: the output formats plus `jpg` for `jpeg`. */
export const SETTING_FORMATS: readonly string[] = [...OUTPUT_FORMATS, 'jpg'];

/** How a settings check names its options in messages. */
export interface SettingsCheck {
  /** Where the settings come from, e.g. `?upscale=4&width=3` or `the plugin option defaults`. */
  readonly where: string;
  /** The name the source uses for `scale` (a query says `upscale`). */
  readonly scaleName?: string;
  /** Refuse keys that are not settings (default true). */
  readonly strictKeys?: boolean;
}

function invalid(option: string, value: unknown, allowed: string, where: string): SwinupError {
  return new SwinupError(
    'INVALID_OPTION',
    `Invalid option ${option} in ${where}: ${JSON.stringify(value) ?? String(value)}; expected ${allowed}`,
  );
}

function integer(option: string, value: unknown, limits: { min: number; max: number }, where: string) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < limits.min || value > limits.max)
    throw invalid(option, value, `an integer from ${limits.min} to ${limits.max}`, where);
  return value;
}

/**
 * Validates raw settings (`null` counts as not given) and returns them typed; errors are SwinupErrors naming
 * the option, the value, what is allowed and where the settings came from.
 */
export function checkUpscaleSettings(raw: unknown, check: SettingsCheck): UpscaleSettings {
  const { where, scaleName = 'scale', strictKeys = true } = check;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('settings', raw, 'an object', where);
  const values = raw as Record<string, unknown>;
  if (strictKeys) {
    const unknown = Object.keys(values).find((key) => !(SETTING_KEYS as readonly string[]).includes(key));
    if (unknown !== undefined)
      throw invalid(
        unknown === 'scale' ? scaleName : unknown,
        values[unknown],
        `one of ${SETTING_KEYS.join(', ')}`,
        where,
      );
  }
  const settings: UpscaleSettings = {
    scale: integer(scaleName, values.scale, SETTING_LIMITS.scale, where),
    width: integer('width', values.width, SETTING_LIMITS.width, where),
    height: integer('height', values.height, SETTING_LIMITS.height, where),
    quality: integer('quality', values.quality, SETTING_LIMITS.quality, where),
  };
  if (settings.scale !== undefined && (settings.width !== undefined || settings.height !== undefined))
    throw invalid(scaleName, settings.scale, 'either a scale or width/height, not both', where);
  if (values.format !== undefined && values.format !== null) {
    if (typeof values.format !== 'string' || !SETTING_FORMATS.includes(values.format))
      throw invalid('format', values.format, `one of ${OUTPUT_FORMATS.join(', ')} (or jpg)`, where);
    settings.format = (values.format === 'jpg' ? 'jpeg' : values.format) as OutputFormat;
  }
  if (values.model !== undefined && values.model !== null) {
    if (typeof values.model !== 'string' || values.model === '')
      throw invalid('model', values.model, 'a model id (see `swinup models list`)', where);
    settings.model = values.model;
  }
  return settings;
}

/**
 * Settings of one image over the defaults: any size given (scale, width or height) replaces the default size
 * entirely; every other given key overrides its default. `undefined` and `null` both mean "not given".
 */
export function mergeSettings(defaults: UpscaleSettings, own: UpscaleSettings): UpscaleSettings {
  const given = Object.entries(own).filter(([, value]) => value !== undefined && value !== null);
  const sized = given.some(([key]) => key === 'scale' || key === 'width' || key === 'height');
  const base = sized ? { ...defaults, scale: undefined, width: undefined, height: undefined } : defaults;
  return Object.fromEntries(
    Object.entries({ ...base, ...Object.fromEntries(given) }).filter(([, value]) => value !== undefined),
  ) as UpscaleSettings;
}

/** The core's per-image options for some settings (the model picks the upscaler instead). */
export function toUpscaleOptions({ model: _model, ...options }: UpscaleSettings): UpscaleOptions {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as UpscaleOptions;
}
