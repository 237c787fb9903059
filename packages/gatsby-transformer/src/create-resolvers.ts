import { mergeSettings, type UpscaleSettings } from '@swinup/core/adapter';
import type { CreateResolversArgs, CreateSchemaCustomizationArgs, PluginOptions } from 'gatsby';
import { reportImageError } from './errors.js';
import { OUTPUT_FORMATS, resolveOptions } from './options.js';
import { imageSelector } from './selection.js';
import { createUpscaledFile, type ImageFileNode, variantHash } from './upscaled-file.js';
import { upscalersFor } from './upscalers.js';

const FORMAT_ENUM = 'SwinupFormat';

/** The part of Gatsby's resolver context that looks nodes up and records what a query read. */
interface ResolverContext {
  readonly nodeModel: { getNodeById(args: { id: string }): unknown };
}

/** Declares the output format enum of the `upscaled` field. */
export function createSchemaCustomization({ actions }: CreateSchemaCustomizationArgs): void {
  actions.createTypes(`enum ${FORMAT_ENUM} { ${OUTPUT_FORMATS.join(' ')} }`);
}

/**
 * Adds `File.upscaled(scale, width, height, model, format, quality): File`, the upscaled image as a
 * `File` with `childImageSharp`. Arguments override the plugin's `defaults`. A variant made while
 * sourcing (eager mode) is returned as it is; any other is upscaled when the query runs, then kept as
 * a child node, so later builds reuse it without running a query's upscale again.
 */
export function createResolvers(args: CreateResolversArgs, pluginOptions: PluginOptions): void {
  const options = resolveOptions(pluginOptions);
  const { cache, reporter } = args;
  const selected = imageSelector(options, cache);
  args.createResolvers({
    File: {
      upscaled: {
        type: 'File',
        description: 'This image upscaled by SwinIR; null when the plugin options do not select it',
        args: {
          scale: { type: 'Int', description: 'Enlargement factor (default: the model scale)' },
          width: { type: 'Int', description: 'Exact output width' },
          height: { type: 'Int', description: 'Exact output height' },
          model: { type: 'String', description: 'Model id from `swinup models list`' },
          format: { type: FORMAT_ENUM, description: 'Output format (default: the source format)' },
          quality: { type: 'Int', description: 'Quality 1–100 for JPEG, WebP and AVIF' },
        },
        async resolve(source: ImageFileNode, own: UpscaleSettings, context: ResolverContext) {
          if (!selected(source)) return null;
          const settings = mergeSettings(options.defaults, own);
          const hash = variantHash(source, settings);
          for (const id of source.children) {
            const child = context.nodeModel.getNodeById({ id }) as ImageFileNode | null;
            if (child?.internal.type === 'File' && child.hash === hash) return child;
          }
          try {
            return await createUpscaledFile(source, settings, upscalersFor(cache, reporter, options), args);
          } catch (error) {
            reportImageError(reporter, source, error);
            return null;
          }
        },
      },
    },
  });
}
