/** Image formats recognised from their first bytes. */
export type SniffedFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'avif' | 'svg';

const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

/**
 * The format an encoded image's leading bytes announce (at least 32 are needed), whatever its file name
 * says; undefined when they announce none of the formats swinup reads.
 */
export function sniffFormat(head: Uint8Array): SniffedFormat | undefined {
  if (head[0] === 0x89 && ascii(head, 1, 4) === 'PNG') return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (ascii(head, 0, 4) === 'GIF8') return 'gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  const order = ascii(head, 0, 4);
  if (order === 'II*\0' || order === 'MM\0*') return 'tiff';
  if (ascii(head, 4, 8) === 'ftyp' && /^(avif|avis|mif1|msf1|heic|heix)$/.test(ascii(head, 8, 12)))
    return 'avif';
  if (/^\s*(<\?xml|<svg)/.test(new TextDecoder().decode(head))) return 'svg';
  return undefined;
}
