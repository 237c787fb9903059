import { type InterleavedImage, maxSample } from '../image/pixel-planes.js';
import { resizeLanczos } from '../io/image-codec.js';
import type { PlanarImage } from '../tiling/tensor-layout.js';

/** Channel groups a model consumes: RGB at once for colour models, each channel alone for grey ones. */
export function channelGroups(colourChannels: number, inChans: number): number[][] {
  if (inChans === 3) return [colourChannels === 3 ? [0, 1, 2] : [0]];
  return Array.from({ length: colourChannels }, (_, c) => [c]);
}

/** The decoded channels fed to the model for one group: a grey channel goes through a colour model as R=G=B. */
export function modelInputChannels(group: readonly number[], inChans: number): number[] {
  return inChans === 3 && group.length === 1 ? ([group[0], group[0], group[0]] as number[]) : [...group];
}

/** Which model output planes become which output channels, per colour group result. */
export function colourPlanes(
  results: readonly PlanarImage[],
  groups: readonly (readonly number[])[],
  colourChannels: number,
  inChans: number,
): { image: PlanarImage; channels: number[] }[] {
  return results.slice(0, groups.length).flatMap((image, g) => {
    if (inChans === 1) return [{ image, channels: [0] }];
    // R=G=B output of a grey input is averaged back to one grey channel.
    if (colourChannels === 1 || groups[g]?.length === 1) return [{ image, channels: [0, 1, 2] }];
    return [0, 1, 2].map((c) => ({ image, channels: [c] }));
  });
}

function extractChannel(image: InterleavedImage, channel: number): InterleavedImage {
  const area = image.width * image.height;
  const pixels = image.depth === 16 ? new Uint16Array(area) : new Uint8Array(area);
  for (let p = 0; p < area; p++) pixels[p] = image.pixels[p * image.channels + channel] as number;
  return { width: image.width, height: image.height, channels: 1, depth: image.depth, pixels };
}

/** The alpha channel enlarged with Lanczos to the size of `like` (`alpha: 'lanczos'`). */
export async function lanczosAlpha(
  decoded: InterleavedImage,
  alphaIndex: number,
  like: PlanarImage,
): Promise<PlanarImage> {
  const resized = await resizeLanczos(extractChannel(decoded, alphaIndex), like.width, like.height);
  const max = maxSample(resized.depth);
  return {
    channels: 1,
    height: resized.height,
    width: resized.width,
    data: Float32Array.from(resized.pixels, (v) => v / max),
  };
}
