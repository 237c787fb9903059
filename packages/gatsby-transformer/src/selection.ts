import type { GatsbyCache, Node } from 'gatsby';
import picomatch from 'picomatch';
import type { ResolvedOptions } from './options.js';
import { type ImageFileNode, isUpscaledFile } from './upscaled-file.js';

// What gatsby-transformer-sharp also reads, so every upscaled image gets `childImageSharp`.
const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['png', 'jpg', 'jpeg', 'webp', 'avif', 'tif', 'tiff']);

/** Whether a node is a `File` holding an image this plugin can read. */
export function isImageFile(node: Node): node is ImageFileNode {
  return node.internal.type === 'File' && IMAGE_EXTENSIONS.has(String(node.extension).toLowerCase());
}

/**
 * Which image `File` nodes the plugin upscales: those `include` selects and `exclude` does not, matched
 * against the path in their source folder; never the plugin's own outputs.
 */
export function imageSelector(
  options: Pick<ResolvedOptions, 'include' | 'exclude'>,
  cache: GatsbyCache,
): (node: Node) => node is ImageFileNode {
  const included = picomatch([...options.include], { dot: true });
  const excluded = options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true }) : () => false;
  return (node: Node): node is ImageFileNode => {
    if (!isImageFile(node) || isUpscaledFile(node, cache)) return false;
    const path = node.relativePath ?? node.absolutePath;
    return included(path) && !excluded(path);
  };
}
