/** `swinup models rm`: deletes a pulled or imported model, and the graphs compiled from it, from the cache. */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { removeCompiledGraphs } from '../cache/compiled-graphs.js';
import { SwinupError } from '../errors.js';
import { fileSha256 } from './file-hash.js';
import { findEntry } from './model-catalog.js';
import { CHECKPOINT_EXTENSIONS, modelFolder } from './model-layout.js';
import { type ModelStoreOptions, modelStoreOf } from './model-store-options.js';

/** Deletes a pulled or imported model's folder from the cache (even a damaged one); returns that folder. */
export async function removeModel(id: string, options: ModelStoreOptions = {}): Promise<string> {
  const store = modelStoreOf(options);
  if (findEntry(store.catalog, id)?.source.kind === 'bundled') {
    throw new SwinupError('INVALID_OPTION', `"${id}" is bundled with swinup and cannot be removed`);
  }
  const folder = modelFolder(store.cacheDir, id);
  if (!existsSync(folder)) {
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `model "${id}" is not installed (no ${folder}). See \`swinup models list\`.`,
    );
  }
  // Compiled graphs are keyed by the checkpoint's hash; they go with it.
  const checkpoints = readdirSync(folder).filter((name) => CHECKPOINT_EXTENSIONS.includes(extname(name)));
  for (const name of checkpoints) {
    await removeCompiledGraphs(await fileSha256(join(folder, name)), store.cacheDir);
  }
  await rm(folder, { recursive: true, force: true });
  return folder;
}
