/**
 * Where model checkpoints live: bundled ones beside the catalog, pulled and imported ones under
 * `<cache>/models/<id>/`; and how a checkpoint file is recognised and read.
 */
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { SwinupError } from '../errors.js';
import { readRegularFile } from '../io/regular-file.js';
import type { Catalog, CatalogEntry } from './model-catalog.js';
import { checkId } from './model-id.js';

/** A model ready to compile: its checkpoint on disk and what the catalog (if any) says about it. */
export interface ModelHandle {
  /** Catalog id, or the file name for a user-given checkpoint. */
  readonly id: string;
  readonly checkpointPath: string;
  readonly entry: CatalogEntry | undefined;
  /** `img_range` from the catalog, when known. */
  readonly imgRange: number | undefined;
}

/** The folder that holds one folder per pulled or imported model. */
export function modelsRoot(cacheDir: string): string {
  return join(cacheDir, 'models');
}

/** The folder of the pulled or imported model `id`; throws when `id` is not a valid model id. */
export function modelFolder(cacheDir: string, id: string): string {
  return join(modelsRoot(cacheDir), checkId(id));
}

/** Where a catalog model's checkpoint lives: inside `models/` for bundled ones, in the cache once pulled. */
export function checkpointPathOf(entry: CatalogEntry, catalog: Catalog, cacheDir: string): string {
  if (entry.source.kind === 'bundled') return resolve(catalog.modelsDir, entry.source.file);
  return join(modelsRoot(cacheDir), entry.id, entry.source.file);
}

/** Whether a catalog model's checkpoint is on disk. */
export function isInstalled(entry: CatalogEntry, catalog: Catalog, cacheDir: string): boolean {
  return existsSync(checkpointPathOf(entry, catalog, cacheDir));
}

/** Checkpoint file extensions swinup reads. */
export const CHECKPOINT_EXTENSIONS = ['.pth', '.pt', '.ckpt', '.safetensors'];

/** True when `spec` names a checkpoint file rather than a catalog id. */
export function looksLikeFile(spec: string): boolean {
  return (
    CHECKPOINT_EXTENSIONS.includes(extname(spec).toLowerCase()) || spec.includes('/') || spec.includes('\\')
  );
}

/**
 * The error for a model whose checkpoint is not on disk, with the commands that install it; `why` says why
 * it was not downloaded (e.g. offline mode).
 */
export function notInstalled(model: Pick<ModelHandle, 'id' | 'checkpointPath'>, why?: string): SwinupError {
  return new SwinupError(
    'MODEL_NOT_FOUND',
    `model "${model.id}" is not installed (${model.checkpointPath} is missing)${why === undefined ? '' : `, ${why}`}. ` +
      `Run \`swinup models pull ${model.id}\`, or \`swinup models import <file>\` if you have the checkpoint.`,
  );
}

/** Largest checkpoint read: the largest official SwinIR file is about 140 MB. */
const MAX_CHECKPOINT_BYTES = 2 * 1024 * 1024 * 1024;

/** Reads a checkpoint file: regular files only, size-bounded (never `/dev/zero` or a FIFO, which never end). */
export function readCheckpointFile(path: string): Promise<Uint8Array> {
  return readRegularFile(path, {
    maxBytes: MAX_CHECKPOINT_BYTES,
    what: 'checkpoint',
    code: 'CHECKPOINT_FORMAT',
  });
}
