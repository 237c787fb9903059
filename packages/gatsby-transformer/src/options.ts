import type { Device, OutputFormat, PrecisionChoice, UpscaleOptions, UpscalerOptions } from '@swinup/core';
import type { PluginOptions, PluginOptionsSchemaArgs } from 'gatsby';
import type { ObjectSchema } from 'gatsby-plugin-utils';

/** When the images are upscaled: while Gatsby sources nodes, or when a query first asks for one. */
export type UpscaleMode = 'eager' | 'lazy';

/** Per-image settings: the plugin's `defaults`, overridden by the arguments of the `upscaled` field. */
export interface UpscaleSettings {
  /** Enlargement factor; default: the model's own scale. */
  scale?: number;
  /** Exact output width; the height follows the aspect ratio unless `height` is set too. */
  width?: number;
  /** Exact output height. */
  height?: number;
  /** Catalog id of the model (see `swinup models list`); default: the catalog's default. */
  model?: string;
  /** Output format; default: the source's (PNG when it cannot be written). */
  format?: OutputFormat;
  /** Quality 1–100 for JPEG, WebP and AVIF. */
  quality?: number;
}

/** Upscaler settings passed through to `@swinup/core`. */
export type SwinupUpscalerOptions = Pick<
  UpscalerOptions,
  'device' | 'threads' | 'tileSize' | 'tileOverlap' | 'precision' | 'maxOutputPixels' | 'cacheDir'
>;

/** Options of `gatsby-transformer-swinup` in `gatsby-config`. */
export interface SwinupTransformerOptions {
  /** Settings of every upscaled image; the `upscaled` field's arguments override them. */
  defaults?: UpscaleSettings;
  /** Globs of the images (matched against the `File` node's `relativePath`) that may be upscaled; default all. */
  include?: string | string[];
  /** Globs taken out of `include`. */
  exclude?: string | string[];
  /** `eager` (default) upscales every selected image with `defaults` while sourcing; `lazy` waits for a query. */
  mode?: UpscaleMode;
  /** Device, threads, tiling and model cache folder of the upscaler. */
  upscaler?: SwinupUpscalerOptions;
}

/** Plugin options after Gatsby validated them against the schema. */
export interface ResolvedOptions {
  readonly defaults: UpscaleSettings;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly mode: UpscaleMode;
  readonly upscaler: SwinupUpscalerOptions;
}

/** Output formats the `upscaled` field and `defaults.format` accept. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp', 'avif', 'tiff'];
const DEVICES: readonly Device[] = ['auto', 'cpu', 'cuda'];
const PRECISIONS: readonly PrecisionChoice[] = ['auto', 'fp32', 'int8'];

/** Plugin options schema, validated by Gatsby (with the Joi instance it passes) before the build starts. */
export function pluginOptionsSchema({ Joi }: PluginOptionsSchemaArgs): ObjectSchema {
  const globs = Joi.alternatives(Joi.string().min(1), Joi.array().items(Joi.string().min(1)));
  const count = Joi.number().integer();
  return Joi.object({
    defaults: Joi.object({
      scale: count.min(1).max(16).description('Enlargement factor (default: the model scale)'),
      width: count.min(1).max(1_000_000).description('Exact output width'),
      height: count.min(1).max(1_000_000).description('Exact output height'),
      model: Joi.string().min(1).description('Model id from `swinup models list`'),
      format: Joi.string()
        .valid(...OUTPUT_FORMATS)
        .description('Output format (default: the source format)'),
      quality: count.min(1).max(100).description('Quality for JPEG, WebP and AVIF'),
    })
      .without('scale', ['width', 'height'])
      .messages({ 'object.without': '{{#label}} cannot have both scale and {{#peer}}' })
      .default({})
      .description('Settings of every upscaled image; the upscaled field arguments override them'),
    include: globs.default(['**/*']).description('Globs of the images that may be upscaled (relativePath)'),
    exclude: globs.default([]).description('Globs taken out of include'),
    mode: Joi.string()
      .valid('eager', 'lazy')
      .default('eager')
      .description('eager: upscale with the defaults while sourcing; lazy: when a query asks'),
    upscaler: Joi.object({
      device: Joi.string().valid(...DEVICES),
      threads: count.min(0).max(1024),
      tileSize: count.min(0).max(4096),
      tileOverlap: count.min(0).max(512),
      precision: Joi.string().valid(...PRECISIONS),
      maxOutputPixels: count.min(1),
      cacheDir: Joi.string().min(1),
    })
      .default({})
      .description('Device, threads, tiling, precision and model cache folder of the upscaler'),
  });
}

const asList = (globs: unknown): readonly string[] =>
  globs === undefined ? [] : typeof globs === 'string' ? [globs] : (globs as string[]);

/** Reads the validated options Gatsby passes to every hook (defaults applied by the schema). */
export function resolveOptions(options: PluginOptions | SwinupTransformerOptions): ResolvedOptions {
  const own = options as SwinupTransformerOptions;
  return {
    defaults: own.defaults ?? {},
    include: own.include === undefined ? ['**/*'] : asList(own.include),
    exclude: asList(own.exclude),
    mode: own.mode ?? 'eager',
    upscaler: own.upscaler ?? {},
  };
}

/** A query's arguments over the defaults; any size in the arguments replaces the default size entirely. */
export function mergeSettings(defaults: UpscaleSettings, own: UpscaleSettings): UpscaleSettings {
  const given = Object.entries(own).filter(([, value]) => value !== undefined && value !== null);
  const sized = given.some(([key]) => key === 'scale' || key === 'width' || key === 'height');
  const base = sized ? { ...defaults, scale: undefined, width: undefined, height: undefined } : defaults;
  return { ...base, ...Object.fromEntries(given) };
}

/** The core's per-image options for some settings (the model picks the upscaler instead). */
export function toUpscaleOptions({ model: _model, ...options }: UpscaleSettings): UpscaleOptions {
  return options;
}
