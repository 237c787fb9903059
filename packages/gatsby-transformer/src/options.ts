import {
  DEVICES,
  OUTPUT_FORMATS,
  PRECISIONS,
  SETTING_LIMITS,
  UPSCALER_LIMITS,
  type UpscalerOptions,
  type UpscaleSettings,
} from '@swinup/core/adapter';
import type { PluginOptions, PluginOptionsSchemaArgs } from 'gatsby';
import type { ObjectSchema } from 'gatsby-plugin-utils';

/** When the images are upscaled: while Gatsby sources nodes, or when a query first asks for one. */
export type UpscaleMode = 'eager' | 'lazy';

/** Per-image settings: the plugin's `defaults`, overridden by the arguments of the `upscaled` field. */
export type { UpscaleSettings } from '@swinup/core/adapter';

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

/** Output formats the `upscaled` field and `defaults.format` accept: core's list. */
export { OUTPUT_FORMATS } from '@swinup/core/adapter';

/**
 * Plugin options schema, validated by Gatsby (with the Joi instance it passes) before the build starts. Its
 * lists and ranges are core's, so the plugin accepts exactly what the upscaler does.
 */
export function pluginOptionsSchema({ Joi }: PluginOptionsSchemaArgs): ObjectSchema {
  const globs = Joi.alternatives(Joi.string().min(1), Joi.array().items(Joi.string().min(1)));
  const count = (limits: { readonly min: number; readonly max: number }) =>
    Joi.number().integer().min(limits.min).max(limits.max);
  return Joi.object({
    defaults: Joi.object({
      scale: count(SETTING_LIMITS.scale).description('Enlargement factor (default: the model scale)'),
      width: count(SETTING_LIMITS.width).description('Exact output width'),
      height: count(SETTING_LIMITS.height).description('Exact output height'),
      model: Joi.string().min(1).description('Model id from `swinup models list`'),
      format: Joi.string()
        .valid(...OUTPUT_FORMATS)
        .description('Output format (default: the source format)'),
      quality: count(SETTING_LIMITS.quality).description('Quality for JPEG, WebP and AVIF'),
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
      threads: count(UPSCALER_LIMITS.threads),
      tileSize: count(UPSCALER_LIMITS.tileSize),
      tileOverlap: count(UPSCALER_LIMITS.tileOverlap),
      precision: Joi.string().valid(...PRECISIONS),
      maxOutputPixels: count(UPSCALER_LIMITS.maxOutputPixels),
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
