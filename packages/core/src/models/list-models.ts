/** `swinup models list`: every catalog model, installed or not, and every imported one. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { CatalogTask } from './model-catalog.js';
import { findEntry } from './model-catalog.js';
import { checkpointPathOf, isInstalled, modelsRoot } from './model-layout.js';
import { importedCheckpointPath, importedModel } from './model-manifest.js';
import { type ModelStoreOptions, modelStoreOf } from './model-store-options.js';

/** One row of {@link listModels}. */
export interface ModelListing {
  readonly id: string;
  readonly title: string;
  readonly task: CatalogTask;
  readonly scale: number;
  /** `bundled` ships with swinup, `download` is pulled from the catalog's URL, `imported` came from a local file. */
  readonly origin: 'bundled' | 'download' | 'imported';
  readonly installed: boolean;
  /** Bytes on disk when installed, else the catalog's size (null when unknown). */
  readonly size: number | null;
  readonly path: string;
}

/** Every catalog model (installed or not) and every imported one. */
export function listModels(options: ModelStoreOptions = {}): ModelListing[] {
  const store = modelStoreOf(options);
  const rows: ModelListing[] = store.catalog.models.map((entry) => {
    const path = checkpointPathOf(entry, store.catalog, store.cacheDir);
    const installed = isInstalled(entry, store.catalog, store.cacheDir);
    return {
      id: entry.id,
      title: entry.title,
      task: entry.task,
      scale: entry.scale,
      origin: entry.source.kind === 'bundled' ? 'bundled' : 'download',
      installed,
      size: installed ? statSync(path).size : entry.size,
      path,
    };
  });
  const folder = modelsRoot(store.cacheDir);
  if (!existsSync(folder)) return rows;
  for (const child of readdirSync(folder, { withFileTypes: true })) {
    if (!child.isDirectory() || findEntry(store.catalog, child.name) !== undefined) continue;
    // A damaged or foreign folder is reported and skipped, so one bad install does not hide the others.
    try {
      const model = importedModel(child.name, store.cacheDir);
      if (model === undefined) continue;
      const path = importedCheckpointPath(model, store.cacheDir);
      rows.push({
        id: model.id,
        title: `imported from ${model.importedFrom}`,
        task: model.task,
        scale: model.scale,
        origin: 'imported',
        installed: existsSync(path),
        size: model.size,
        path,
      });
    } catch (error) {
      store.logger.warn((error as Error).message);
    }
  }
  return rows;
}
