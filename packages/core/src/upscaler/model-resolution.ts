import { basename, resolve as resolvePath } from 'node:path';
import { readCheckpoint } from '../checkpoint/index.js';
import { SwinupError, withFile } from '../errors.js';
import { inferConfig } from '../graph/swinir-config.js';
import { resolveCacheDir } from '../models/cache-dir.js';
import { type Catalog, findEntry, loadCatalog, requireEntry } from '../models/model-catalog.js';
import {
  checkpointPathOf,
  isInstalled,
  looksLikeFile,
  type ModelHandle,
  notInstalled,
  readCheckpointFile,
} from '../models/model-layout.js';
import { importedModelHandle } from '../models/model-manifest.js';
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
}

/**
 * Models available for a task, keyed by scale: the requested one, else the task's default plus the other
 * installed catalog models of the task. A checkpoint path never reads the catalog.
 */
export async function availableModels(options: ResolvedUpscalerOptions): Promise<AvailableModels> {
  const catalogOf = () => loadCatalog({ modelsDir: options.modelsDir, catalog: options.catalog });
  const cacheDir = resolveCacheDir(options.cacheDir);
  const handleOf = (id: string): ModelHandle => {
    const catalog = catalogOf();
    const entry = findEntry(catalog, id);
    if (entry === undefined) return importedModelHandle(id, cacheDir) ?? unknownModel(catalog, id);
    return {
      id,
      checkpointPath: checkpointPathOf(entry, catalog, cacheDir),
      entry,
      imgRange: entry.imgRange,
    };
  };
  if (options.model !== undefined) {
    const handle: ModelHandle = looksLikeFile(options.model)
      ? {
          id: basename(options.model),
          checkpointPath: resolvePath(options.model),
          entry: undefined,
          imgRange: undefined,
        }
      : handleOf(options.model);
    const model = await loadModel(handle);
    return { primary: model, byScale: new Map([[model.config.upscale, model]]) };
  }
  const catalog = catalogOf();
  const defaultId = catalog.defaults[options.task];
  if (defaultId === undefined) {
    const candidates = catalog.models.filter((m) => m.task === options.task).map((m) => m.id);
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `no default model for task "${options.task}"; pick one with --model (e.g. ${candidates.slice(0, 3).join(', ')}) ` +
        'after `swinup models pull <id>`',
    );
  }
  const primary = await loadModel(handleOf(defaultId));
  const byScale = new Map<number, LoadedModel>([[primary.config.upscale, primary]]);
  // Other installed models of the task can serve scales the default lacks (×8 as ×4 then ×2).
  for (const entry of catalog.models) {
    if (entry.task !== options.task || entry.scale <= 1 || byScale.has(entry.scale)) continue;
    if (isInstalled(entry, catalog, cacheDir)) byScale.set(entry.scale, await loadModel(handleOf(entry.id)));
  }
  return { primary, byScale };
}
