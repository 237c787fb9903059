import type { CreateNodeArgs, Node, PluginOptions } from 'gatsby';
import { reportImageError } from './errors.js';
import { resolveOptions } from './options.js';
import { imageSelector, isImageFile } from './selection.js';
import { createUpscaledFile } from './upscaled-file.js';
import { upscalersFor } from './upscalers.js';

/** Lets Gatsby skip `onCreateNode` for every node that is not an image `File`. */
export function shouldOnCreateNode({ node }: { node: Node }): boolean {
  return isImageFile(node);
}

/**
 * In `eager` mode, upscales each selected image with the default settings as soon as its `File` node
 * exists, adding the result as a child `File`. Runs only for new or changed files: a rebuild with a
 * warm cache keeps the nodes and never calls it.
 */
export async function onCreateNode(args: CreateNodeArgs, pluginOptions: PluginOptions): Promise<void> {
  const options = resolveOptions(pluginOptions);
  const { node, cache, reporter } = args;
  if (options.mode !== 'eager' || !imageSelector(options, cache)(node)) return;
  try {
    await createUpscaledFile(node, options.defaults, upscalersFor(cache, reporter, options), args);
  } catch (error) {
    reportImageError(reporter, node, error);
  }
}
