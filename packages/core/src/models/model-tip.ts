/**
 * The one-line tip shown when the bundled default runs while the catalog has a better official model for
 * the same task and scale that is not installed. Logged once per process, so a build of many images (or a
 * pool of upscalers) says it once.
 */
import type { Logger } from '../logger.js';
import type { CatalogEntry } from './model-catalog.js';
import { megabytes } from './model-download.js';
import { compareCost, RANKING_DATASET, rankingQuality } from './model-ranking.js';

/** Every tip starts with this, so the CLI can show tips without --verbose. */
export const TIP_PREFIX = 'tip: ';

/** True when a logged message is a tip. */
export function isTip(message: string): boolean {
  return message.startsWith(TIP_PREFIX);
}

/** An official (downloadable) model's published Set5 Y-PSNR, if any. */
function publishedQuality(entry: CatalogEntry): number | undefined {
  const { published } = entry;
  if (entry.source.kind !== 'url' || published?.dataset !== RANKING_DATASET) return undefined;
  return published.yPsnr ?? undefined;
}

/**
 * The tip for a running bundled model: the cheapest official model of its task and scale whose published
 * quality beats it and that is not installed (most of the gain for the least download and CPU time), or
 * undefined when there is none or `running` is not bundled.
 */
export function betterModelTip(
  running: CatalogEntry,
  models: readonly CatalogEntry[],
  isInstalled: (entry: CatalogEntry) => boolean,
): string | undefined {
  if (running.source.kind !== 'bundled') return undefined;
  const floor = rankingQuality(running);
  const better = models.filter((m) => {
    const quality = publishedQuality(m);
    if (m.task !== running.task || m.scale !== running.scale || quality === undefined) return false;
    return (floor === undefined || quality > floor) && !isInstalled(m);
  });
  const pick = better.sort(compareCost)[0];
  if (pick === undefined) return undefined;
  const facts = [
    `${RANKING_DATASET} ${publishedQuality(pick)} dB${floor === undefined ? '' : ` vs ${floor}`}`,
    ...(pick.size === null ? [] : [megabytes(pick.size)]),
  ];
  return `${TIP_PREFIX}${pick.id} (${facts.join(', ')}) is available: npx swinup models pull ${pick.id}`;
}

let tipShown = false;

/** Logs `tip` at info level unless this process has already logged one. */
export function logTipOnce(logger: Logger, tip: string | undefined): void {
  if (tip === undefined || tipShown) return;
  tipShown = true;
  logger.info(tip);
}

/** Forgets that a tip was logged, so tests can check the once-per-process rule one case at a time. */
export function resetTipForTests(): void {
  tipShown = false;
}
