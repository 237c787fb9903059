/**
 * How catalog models compare when none is named: quality first (Set5 Y-PSNR, published or measured), then
 * cost (file size). Pure: whether a model is installed is the caller's question.
 */
import type { CatalogEntry } from './model-catalog.js';

/** The benchmark whose Y-PSNR ranks models; numbers on other sets (e.g. Classic5 for JPEG) are not comparable. */
export const RANKING_DATASET = 'Set5';

/** A model's Set5 Y-PSNR in dB: the published number, else this project's measurement; undefined when neither. */
export function rankingQuality(entry: CatalogEntry): number | undefined {
  for (const score of [entry.published, entry.measured]) {
    if (score?.dataset === RANKING_DATASET && typeof score.yPsnr === 'number') return score.yPsnr;
  }
  return undefined;
}

const byQuality = (a: CatalogEntry, b: CatalogEntry) =>
  compareNumbers(rankingQuality(a), rankingQuality(b), 'descending');
const bySize = (a: CatalogEntry, b: CatalogEntry) =>
  compareNumbers(a.size ?? undefined, b.size ?? undefined, 'ascending');

/** Orders two models best first: higher quality (models without a number after those with one), then smaller. */
export function compareModels(a: CatalogEntry, b: CatalogEntry): number {
  return byQuality(a, b) || bySize(a, b);
}

/** Orders two models cheapest first: smaller files, then higher quality. */
export function compareCost(a: CatalogEntry, b: CatalogEntry): number {
  return bySize(a, b) || byQuality(a, b);
}

/** Compares two optional numbers in either direction; a missing number always sorts last. */
function compareNumbers(
  a: number | undefined,
  b: number | undefined,
  order: 'ascending' | 'descending',
): number {
  if (a === undefined || b === undefined) return Number(a === undefined) - Number(b === undefined);
  return order === 'ascending' ? a - b : b - a;
}

/** Models best first; ties keep the catalog's order. */
export function rankModels(entries: Iterable<CatalogEntry>): CatalogEntry[] {
  return [...entries].sort(compareModels);
}

/** The best-ranked model, or undefined when there is none. */
export function bestModel(entries: Iterable<CatalogEntry>): CatalogEntry | undefined {
  return rankModels(entries)[0];
}
