import { basename, resolve as resolvePath } from 'node:path';
import { readCheckpoint } from '../checkpoint/index.js';
import { SwinupError, withFile } from '../errors.js';
import { inferConfig } from '../graph/swinir-config.js';
import { resolveCacheDir } from '../models/cache-dir.js';
import { installOnDemand } from '../models/install-on-demand.js';
import {
  type Catalog,
  type CatalogEntry,
  findEntry,
  loadCatalog,
  requireEntry,
} from '../models/model-catalog.js';
import {
  checkpointPathOf,
  isInstalled,
  looksLikeFile,
  type ModelHandle,
  notInstalled,
  readCheckpointFile,
} from '../models/model-layout.js';
import { importedModelHandle } from '../models/model-manifest.js';
import { rankModels } from '../models/model-ranking.js';
import { betterModelTip } from '../models/model-tip.js';
import type { ResolvedUpscalerOptions } from '../options.js';
import type { LoadedModel } from './upscaler-types.js';

/** Reads a model's checkpoint and infers its architecture; errors name the file. */
export async function loadModel(handle: ModelHandle): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readCheckpointFile(handle.checkpointPath);
  } catch (error) {
    if (error instanceof SwinupError) throw withFile(error, handle.checkpointPath);
    throw notInstalled(handle);
  }
  try {
    const tensors = readCheckpoint(bytes);
    const hints = handle.imgRange === undefined ? {} : { imgRange: handle.imgRange };
    return { handle, config: inferConfig(tensors.weights, tensors.otherTensors, hints).config };
  } catch (error) {
    throw withFile(error, handle.checkpointPath);
  }
}

function unknownModel(catalog: Catalog, id: string): never {
  requireEntry(catalog, id);
  throw new SwinupError('MODEL_NOT_FOUND', `unknown model "${id}"`);
}

/** The models an upscaler runs: the one used by default, and one per scale for chained passes. */
export interface AvailableModels {
  readonly primary: LoadedModel;
  readonly byScale: ReadonlyMap<number, LoadedModel>;
  /** When the bundled default runs: the tip naming a better official model to pull (see model-tip.ts). */
  readonly tip: string | undefined;
}

function catalogHandle(entry: CatalogEntry, catalog: Catalog, cacheDir: string): ModelHandle {
  return {
    id: entry.id,
    checkpointPath: checkpointPathOf(entry, catalog, cacheDir),
    entry,
    imgRange: entry.imgRange,
  };
}

/** A named model: a checkpoint file, a catalog model (downloaded first when missing) or an imported one. */
async function namedModel(
  spec: string,
  options: ResolvedUpscalerOptions,
  cacheDir: string,
): Promise<ModelHandle> {
  if (looksLikeFile(spec)) {
    return { id: basename(spec), checkpointPath: resolvePath(spec), entry: undefined, imgRange: undefined };
  }
  const catalog = loadCatalog({ modelsDir: options.modelsDir, catalog: options.catalog });
  const entry = findEntry(catalog, spec);
  if (entry === undefined) return importedModelHandle(spec, cacheDir) ?? unknownModel(catalog, spec);
  const { offline, logger, onDownload, signal } = options;
  await installOnDemand(entry, { catalog, cacheDir, offline, logger, onDownload, signal });
  return catalogHandle(entry, catalog, cacheDir);
}

/**
 * Models available for a task, keyed by scale: the named one; else, per scale, the best-ranked installed
 * catalog model of the task (model-ranking.ts), the primary being the best at the default model's scale
 * (the default itself when nothing better is installed). A checkpoint path never reads the catalog.
 */
export async function availableModels(options: ResolvedUpscalerOptions): Promise<AvailableModels> {
  const cacheDir = resolveCacheDir(options.cacheDir);
  if (options.model !== undefined) {
    const model = await loadModel(await namedModel(options.model, options, cacheDir));
    return { primary: model, byScale: new Map([[model.config.upscale, model]]), tip: undefined };
  }
  const catalog = loadCatalog({ modelsDir: options.modelsDir, catalog: options.catalog });
  const defaultId = catalog.defaults[options.task];
  if (defaultId === undefined) {
    const candidates = catalog.models.filter((m) => m.task === options.task).map((m) => m.id);
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `no default model for task "${options.task}"; pick one with --model (e.g. ${candidates.slice(0, 3).join(', ')}) ` +
        'after `swinup models pull <id>`',
    );
  }
  const handleOf = (entry: CatalogEntry) => catalogHandle(entry, catalog, cacheDir);
  const installed = rankModels(
    catalog.models.filter((m) => m.task === options.task && isInstalled(m, catalog, cacheDir)),
  );
  const fallback = findEntry(catalog, defaultId);
  // A default that is not a catalog entry is an imported model: it runs as it is.
  const chosen = fallback && (installed.find((m) => m.scale === fallback.scale) ?? fallback);
  const primary = await loadModel(
    chosen === undefined
      ? (importedModelHandle(defaultId, cacheDir) ?? unknownModel(catalog, defaultId))
      : handleOf(chosen),
  );
  const byScale = new Map<number, LoadedModel>([[primary.config.upscale, primary]]);
  // Other installed models of the task serve scales the primary lacks (×8 as ×4 then ×2): the best of each.
  for (const entry of installed) {
    if (entry.scale > 1 && !byScale.has(entry.scale))
      byScale.set(entry.scale, await loadModel(handleOf(entry)));
  }
  // No tip offline: it asks for a download.
  const tip =
    chosen !== undefined && chosen === fallback && !options.offline
      ? betterModelTip(chosen, catalog.models, (m) => isInstalled(m, catalog, cacheDir))
      : undefined;
  return { primary, byScale, tip };
}
