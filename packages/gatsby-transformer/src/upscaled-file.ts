import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { UpscalerPool, UpscaleSettings } from '@swinup/core/adapter';
import type { Actions, GatsbyCache, Node } from 'gatsby';
import { createFileNodeFromBuffer } from 'gatsby-source-filesystem';

/** The fields of a `File` node this plugin reads. */
export interface ImageFileNode extends Node {
  readonly absolutePath: string;
  readonly relativePath?: string;
  readonly name: string;
  readonly extension: string;
  /** On an upscaled `File`: the variant it holds (see {@link variantHash}). */
  readonly hash?: string;
}

/** The Gatsby helpers that creating an upscaled `File` needs; `onCreateNode` and resolvers both have them. */
export interface NodeHelpers {
  readonly actions: Pick<Actions, 'createNode' | 'createParentChildLink'>;
  readonly cache: GatsbyCache;
  readonly createNodeId: (input: string) => string;
}

const VARIANT_KEYS: readonly (keyof UpscaleSettings)[] = [
  'scale',
  'width',
  'height',
  'model',
  'format',
  'quality',
];

/**
 * Names one upscaled variant of one source: its content digest and the settings. An edited image gets
 * a new digest, so its stale variants are never found again.
 */
export function variantHash(source: ImageFileNode, settings: UpscaleSettings): string {
  const parts = [source.internal.contentDigest, ...VARIANT_KEYS.map((key) => settings[key] ?? '')];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * Upscales a source image and adds the result as a `File` node, child of the source, so
 * gatsby-transformer-sharp gives it `childImageSharp` like any other image. The bytes come from the
 * core (its result cache lives in this plugin's Gatsby cache folder); the file is written there too.
 */
export async function createUpscaledFile(
  source: ImageFileNode,
  settings: UpscaleSettings,
  upscalers: UpscalerPool,
  { actions, cache, createNodeId }: NodeHelpers,
): Promise<ImageFileNode> {
  const { data, info } = await upscalers.upscale(source.absolutePath, settings, { name: nameOf(source) });
  const file = (await createFileNodeFromBuffer({
    buffer: data,
    hash: variantHash(source, settings),
    name: `${source.name}-upscaled`,
    ext: `.${info.format === 'jpeg' ? 'jpg' : info.format}`,
    parentNodeId: source.id,
    cache,
    createNode: actions.createNode,
    createNodeId,
  })) as unknown as ImageFileNode;
  actions.createParentChildLink({ parent: source, child: file });
  return file;
}

/** Whether a `File` node is one this plugin wrote (under its cache folder), which is never upscaled again. */
export function isUpscaledFile(node: ImageFileNode, cache: GatsbyCache): boolean {
  return resolve(node.absolutePath).startsWith(resolve(cache.directory) + sep);
}

/** How messages name a source image: its path in the site (Gatsby runs in the site's folder), else its absolute path. */
export function nameOf(node: ImageFileNode): string {
  const path = relative(process.cwd(), node.absolutePath);
  return path.startsWith('..') || isAbsolute(path) ? node.absolutePath : path.split(sep).join('/');
}
