import type { PluginScale } from '../messages.js';

/** Figma refuses images larger than this on either side. */
export const FIGMA_MAX_IMAGE_SIDE = 4096;

/** A layer whose fills can be read and replaced. */
export type FillableNode = SceneNode & MinimalFillsMixin;

/** The layer's fills, or undefined when it has none or they are mixed (text with several fills). */
export function fillsOf(node: SceneNode): readonly Paint[] | undefined {
  if (!('fills' in node)) return undefined;
  const fills = node.fills;
  return typeof fills === 'symbol' ? undefined : fills;
}

/** Hashes of the images the layer's fills show, without repeats. */
export function imageHashesOf(node: SceneNode): string[] {
  const hashes = (fillsOf(node) ?? []).flatMap((paint) =>
    paint.type === 'IMAGE' && paint.imageHash !== null ? [paint.imageHash] : [],
  );
  return [...new Set(hashes)];
}

/**
 * The largest scale up to `requested` that keeps a `width`×`height` image within Figma's limit, or
 * undefined when even ×2 would pass it.
 */
export function fitScale(width: number, height: number, requested: PluginScale): PluginScale | undefined {
  const candidates: PluginScale[] = requested === 4 ? [4, 2] : [2];
  return candidates.find((scale) => Math.max(width, height) * scale <= FIGMA_MAX_IMAGE_SIDE);
}

/**
 * The fills with every image paint showing `from` switched to `to`, an image `scale` times larger.
 * Everything else is kept; a tiled paint's scaling factor shrinks by `scale` so its tiles keep their
 * size on the canvas (Figma sizes tiles from the image's own pixels).
 */
export function withUpscaledImage(fills: readonly Paint[], from: string, to: string, scale: number): Paint[] {
  return fills.map((paint) => {
    if (paint.type !== 'IMAGE' || paint.imageHash !== from) return paint;
    if (paint.scaleMode !== 'TILE') return { ...paint, imageHash: to };
    return { ...paint, imageHash: to, scalingFactor: (paint.scalingFactor ?? 1) / scale };
  });
}
