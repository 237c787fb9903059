/**
 * `swinup models import`: installs a checkpoint the user already has, as the catalog model it is (same
 * hash, or a catalog id given) or as a model of its own with a manifest.
 */
import { mkdir, rm } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { type CheckpointInspection, inspectCheckpoint } from '../compiler.js';
import { SwinupError, withFile } from '../errors.js';
import type { SwinIRConfig } from '../graph/swinir-config.js';
import type { Logger } from '../logger.js';
import { bytesSha256 } from './file-hash.js';
import { type CatalogEntry, type CatalogTask, findEntry } from './model-catalog.js';
import { checkId, idFromFileName } from './model-id.js';
import { CHECKPOINT_EXTENSIONS, checkpointPathOf, modelFolder, readCheckpointFile } from './model-layout.js';
import { type ImportedModel, importedModel, writeImportedModel } from './model-manifest.js';
import { type ModelStoreOptions, modelStoreOf } from './model-store-options.js';
import { unverifiableWarning, verifyMethodFor } from './verify-method.js';

/** Options of {@link importCheckpoint}. */
export interface ImportOptions extends ModelStoreOptions {
  /** Id to install under (default: the catalog model with the same SHA-256, else the file's name). */
  readonly id?: string;
}

/** What {@link importCheckpoint} installed. */
export interface ImportResult {
  readonly id: string;
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  /** True when the file is a catalog model (same hash, or the catalog id was given) and was installed as that model. */
  readonly catalogModel: boolean;
  readonly task: CatalogTask;
  readonly scale: number;
  readonly config: Omit<SwinIRConfig, 'shifted'>;
}

/**
 * Installs a checkpoint the user already has. A file with a catalog model's hash (or imported with a
 * catalog id) is installed as that model; any other SwinIR checkpoint goes to
 * `<cache>/models/<id>/<file name>` with a model.json so it can be listed and used by id.
 */
export async function importCheckpoint(file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const store = modelStoreOf(options);
  const bytes = await readImportedFile(file);
  const sha256 = bytesSha256(bytes);
  let inspected: CheckpointInspection;
  try {
    inspected = inspectCheckpoint(bytes);
  } catch (error) {
    throw withFile(error, file);
  }
  const { shifted: _shifted, ...config } = inspected.config;
  const entry =
    options.id === undefined
      ? store.catalog.models.find((m) => m.sha256 !== null && m.sha256.toLowerCase() === sha256)
      : findEntry(store.catalog, options.id);
  const facts = { sha256, size: bytes.byteLength, task: taskOf(config), scale: config.upscale, config };
  if (entry !== undefined) {
    checkCatalogMatch(entry, file, sha256, bytes.byteLength, store.logger);
    const path = checkpointPathOf(entry, store.catalog, store.cacheDir);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes);
    return { id: entry.id, path, catalogModel: true, ...facts };
  }
  const id = checkId(options.id ?? idFromFileName(file));
  const existing = importedModel(id, store.cacheDir);
  if (existing !== undefined && existing.sha256 !== sha256) {
    throw new SwinupError(
      'INVALID_OPTION',
      `a different checkpoint is already imported as "${id}"; choose another --id or run \`swinup models rm ${id}\` first`,
    );
  }
  const folder = modelFolder(store.cacheDir, id);
  const path = join(folder, basename(file));
  const model: ImportedModel = {
    schema: 1,
    id,
    file: basename(file),
    size: bytes.byteLength,
    sha256,
    task: facts.task,
    scale: config.upscale,
    imgRange: config.img_range,
    stateDictKey: inspected.stateDictKey,
    config,
    importedFrom: resolve(file),
  };
  await mkdir(folder, { recursive: true });
  try {
    await writeFileAtomic(path, bytes);
    // model.json last: the model is listed only once its checkpoint is complete.
    await writeImportedModel(model, store.cacheDir);
  } catch (error) {
    await rm(path, { force: true });
    throw new SwinupError(
      'OUTPUT_FAILED',
      `cannot install ${file} into ${folder}: ${(error as Error).message}`,
      {
        file,
        cause: error,
      },
    );
  }
  return { id, path, catalogModel: false, ...facts };
}

/** The bytes of a file given to import, refused early when its name is not a checkpoint's. */
async function readImportedFile(file: string): Promise<Uint8Array> {
  if (!CHECKPOINT_EXTENSIONS.includes(extname(file).toLowerCase())) {
    throw new SwinupError(
      'INVALID_OPTION',
      `${file} is not a checkpoint file: expected one of ${CHECKPOINT_EXTENSIONS.join(', ')}`,
      { file },
    );
  }
  try {
    return await readCheckpointFile(file);
  } catch (error) {
    if (error instanceof SwinupError) throw withFile(error, file);
    throw new SwinupError('MODEL_NOT_FOUND', `cannot read ${file}: ${(error as Error).message}`, {
      file,
      cause: error,
    });
  }
}

/** Refuses a file under a catalog id that is not that catalog model's file. */
function checkCatalogMatch(
  entry: CatalogEntry,
  file: string,
  sha256: string,
  size: number,
  logger: Logger,
): void {
  if (entry.source.kind === 'bundled') {
    throw new SwinupError(
      'INVALID_OPTION',
      `"${entry.id}" is bundled with swinup and cannot be replaced; import ${file} under another --id`,
    );
  }
  const expected = entry.sha256?.toLowerCase() ?? null;
  if ((expected !== null && expected !== sha256) || (entry.size !== null && entry.size !== size)) {
    const what =
      expected !== null ? `SHA-256 ${sha256}, expected ${expected}` : `${size} bytes, expected ${entry.size}`;
    throw new SwinupError(
      'MODEL_VERIFY_FAILED',
      `${file} is not the catalog's file for "${entry.id}" (${what}); import it under another --id`,
      { file },
    );
  }
  if (expected === null) logger.warn(unverifiableWarning(entry, verifyMethodFor(null, entry.size)));
}

function taskOf(config: Omit<SwinIRConfig, 'shifted'>): CatalogTask {
  if (config.upscale > 1) return 'sr';
  // The JPEG-artifact models are the only official layout with no upsampler and a 0–255 range.
  return config.img_range === 255 ? 'jpeg' : 'denoise';
}
