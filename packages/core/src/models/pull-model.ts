/** `swinup models pull`: downloads a catalog model into the cache and verifies it. */
import { readFile } from 'node:fs/promises';
import { inspectCheckpoint } from '../compiler.js';
import { SwinupError } from '../errors.js';
import { requireEntry } from './model-catalog.js';
import { type DownloadProgress, downloadModelFile } from './model-download.js';
import { checkpointPathOf, isInstalled } from './model-layout.js';
import { type ModelStoreOptions, modelStoreOf } from './model-store-options.js';
import { unverifiableWarning, type VerifyMethod, verifyMethodFor } from './verify-method.js';

/** Options of {@link pullModel}. */
export interface PullOptions extends ModelStoreOptions {
  /** Aborts the download; its temporary file is removed. */
  readonly signal?: AbortSignal;
  /** Called as bytes arrive. */
  readonly onProgress?: (progress: DownloadProgress) => void;
}

/** What {@link pullModel} did: nothing when the model was already on disk, else a verified download. */
export type PullResult =
  | { readonly alreadyInstalled: true; readonly id: string; readonly path: string }
  | {
      readonly alreadyInstalled: false;
      readonly id: string;
      readonly path: string;
      readonly url: string;
      readonly size: number;
      readonly sha256: string;
      readonly verifiedBy: VerifyMethod;
    };

/**
 * Downloads the catalog model `id` into the cache and verifies it (SHA-256, or size when the catalog
 * has no hash, with a warning). Does nothing when it is already installed.
 */
export async function pullModel(id: string, options: PullOptions = {}): Promise<PullResult> {
  const store = modelStoreOf(options);
  const entry = requireEntry(store.catalog, id);
  const path = checkpointPathOf(entry, store.catalog, store.cacheDir);
  if (entry.source.kind === 'bundled' || isInstalled(entry, store.catalog, store.cacheDir)) {
    return { id: entry.id, path, alreadyInstalled: true };
  }
  const verifiedBy = verifyMethodFor(entry.sha256, entry.size);
  if (verifiedBy !== 'sha256') store.logger.warn(unverifiableWarning(entry, verifiedBy));
  const download = await downloadModelFile(entry, path, {
    env: store.env,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    // Without a published hash, at least refuse what is not a SwinIR checkpoint (an error page, a wrong file).
    ...(entry.sha256 === null
      ? {
          validate: async (temporary: string) => {
            try {
              inspectCheckpoint(await readFile(temporary));
            } catch (error) {
              throw new SwinupError(
                'MODEL_VERIFY_FAILED',
                `the download of model "${entry.id}" is not a usable SwinIR checkpoint (${(error as Error).message}); it was discarded`,
                { cause: error },
              );
            }
          },
        }
      : {}),
  });
  return { id: entry.id, path, alreadyInstalled: false, ...download, verifiedBy };
}
