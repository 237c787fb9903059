/**
 * What naming a catalog model that is not installed does: download and verify it (reusing `pullModel`), or
 * refuse in offline mode. Only named models come here, so a build that names none never downloads.
 */
import type { Logger } from '../logger.js';
import type { ModelDownloadProgress } from '../options.js';
import type { Catalog, CatalogEntry } from './model-catalog.js';
import { megabytes, modelDownloadUrl } from './model-download.js';
import { checkpointPathOf, isInstalled, notInstalled } from './model-layout.js';
import { pullModel } from './pull-model.js';

/** Where a named model is installed, and how its download is allowed and reported. */
export interface OnDemandOptions {
  readonly catalog: Catalog;
  readonly cacheDir: string;
  /** Refuse to download (SWINUP_OFFLINE, `--offline`, `offline: true`). */
  readonly offline: boolean;
  /** Receives the installed line, and the progress when there is no `onDownload`. */
  readonly logger: Logger;
  /** Receives the progress, starting with `done: 0`; without it, progress goes to `logger.info`. */
  readonly onDownload: ((progress: ModelDownloadProgress) => void) | undefined;
  /** Stops the download; its temporary file is removed. */
  readonly signal: AbortSignal | undefined;
}

/** Why an offline upscaler did not download a model (completes {@link notInstalled}'s sentence). */
const OFFLINE_REASON =
  'and offline mode is on (SWINUP_OFFLINE, --offline or the offline option), so it was not downloaded';

/** The refusal of offline mode to download a catalog model that is not installed. */
export function offlineRefusal(entry: CatalogEntry, catalog: Catalog, cacheDir: string): Error {
  return notInstalled(
    { id: entry.id, checkpointPath: checkpointPathOf(entry, catalog, cacheDir) },
    OFFLINE_REASON,
  );
}

/** Makes sure a catalog model's checkpoint is on disk: bundled and installed ones are; others are pulled. */
export async function installOnDemand(entry: CatalogEntry, options: OnDemandOptions): Promise<void> {
  const { catalog, cacheDir, logger } = options;
  if (entry.source.kind === 'bundled' || isInstalled(entry, catalog, cacheDir)) return;
  if (options.offline) {
    throw offlineRefusal(entry, catalog, cacheDir);
  }
  const url = modelDownloadUrl(entry);
  const report = options.onDownload ?? loggedProgress(logger, entry.id, url);
  report({ id: entry.id, url, done: 0, total: entry.size ?? undefined });
  const result = await pullModel(entry.id, {
    catalog,
    cacheDir,
    logger,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onProgress: (progress) => report({ id: entry.id, url, ...progress }),
  });
  if (!result.alreadyInstalled) {
    logger.info(
      `installed model ${entry.id} → ${result.path} (${megabytes(result.size)}, ${result.verifiedBy} verified)`,
    );
  }
}

/** Progress as info lines: one when the download starts, then one per tenth (or per 10 MB of unknown total). */
function loggedProgress(logger: Logger, id: string, url: string): (progress: ModelDownloadProgress) => void {
  let last = -1;
  return ({ done, total }) => {
    const step = total === undefined ? Math.floor(done / 10e6) : Math.floor((10 * done) / total);
    if (step <= last || (total !== undefined && step >= 10)) return;
    last = step;
    if (done === 0)
      logger.info(
        `downloading model ${id}${total === undefined ? '' : ` (${megabytes(total)})`} from ${url}`,
      );
    else
      logger.info(
        `downloading model ${id}: ${total === undefined ? '' : `${step * 10}%, `}${megabytes(done)}`,
      );
  };
}
