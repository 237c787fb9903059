/**
 * `<cache>/models/<id>/model.json`: what `swinup models import` learnt about a checkpoint outside the
 * catalog. Read back, it is checked before it is trusted, since anything may have edited it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { SwinupError } from '../errors.js';
import type { SwinIRConfig } from '../graph/swinir-config.js';
import type { CatalogTask } from './model-catalog.js';
import { isModelId } from './model-id.js';
import { type ModelHandle, modelFolder } from './model-layout.js';

/** The manifest's file name inside a model's folder. */
const MANIFEST_FILE = 'model.json';

/** The content of model.json. */
export interface ImportedModel {
  readonly schema: 1;
  readonly id: string;
  /** File name of the checkpoint beside model.json. */
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
  /** A guess from the architecture: `sr` when it upscales, `jpeg` for the JPEG-artifact layout, else `denoise`. */
  readonly task: CatalogTask;
  readonly scale: number;
  readonly imgRange: number;
  readonly stateDictKey: string | null;
  readonly config: Omit<SwinIRConfig, 'shifted'>;
  /** The file it was imported from, for reference. */
  readonly importedFrom: string;
}

/**
 * The model.json of a model imported under `id`, or undefined when there is none. Throws when it
 * exists but cannot be read, so a damaged install is reported instead of silently ignored.
 */
export function importedModel(id: string, cacheDir: string): ImportedModel | undefined {
  const file = join(modelFolder(cacheDir, id), MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  let parsed: Partial<ImportedModel>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `${file} is damaged (${(error as Error).message}). ${reimport(id)}`,
      {
        file,
        cause: error,
      },
    );
  }
  if (parsed.id !== id || typeof parsed.file !== 'string' || typeof parsed.sha256 !== 'string') {
    throw new SwinupError('MODEL_NOT_FOUND', `${file} does not describe model "${id}". ${reimport(id)}`, {
      file,
    });
  }
  // The manifest names a file inside its own folder, never a path elsewhere on disk.
  if (parsed.file !== basename(parsed.file) || parsed.file === '..' || parsed.file === '.') {
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `${file} points outside its folder (file ${JSON.stringify(parsed.file)}). ${reimport(id)}`,
      { file },
    );
  }
  return parsed as ImportedModel;
}

function reimport(id: string): string {
  return `Run \`swinup models rm ${id}\` and import the checkpoint again.`;
}

/** Where the checkpoint an imported model's manifest names is. */
export function importedCheckpointPath(model: ImportedModel, cacheDir: string): string {
  return join(modelFolder(cacheDir, model.id), model.file);
}

/** Writes the manifest into the model's folder (atomically: a reader sees the old one or the new one). */
export async function writeImportedModel(model: ImportedModel, cacheDir: string): Promise<void> {
  await writeFileAtomic(
    join(modelFolder(cacheDir, model.id), MANIFEST_FILE),
    `${JSON.stringify(model, null, 2)}\n`,
  );
}

/**
 * A model handle for an id installed by `swinup models import` (not in the catalog), or undefined.
 * The pipeline resolves ids the catalog does not know through this.
 */
export function importedModelHandle(id: string, cacheDir: string): ModelHandle | undefined {
  if (!isModelId(id)) return undefined;
  const model = importedModel(id, cacheDir);
  if (model === undefined) return undefined;
  return {
    id,
    checkpointPath: importedCheckpointPath(model, cacheDir),
    entry: undefined,
    imgRange: model.imgRange,
  };
}
