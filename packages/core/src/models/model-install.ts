import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { readCheckpoint } from '../checkpoint/index.js';
import { SwinupError, withFile } from '../errors.js';
import { inferConfig, type SwinIRConfig } from '../graph/swinir-config.js';
import { buildSwinIRGraph } from '../graph/swinir-graph.js';
import { type Logger, silentLogger } from '../logger.js';
import { resolveCacheDir } from './cache-dir.js';
import { bytesSha256, fileSha256 } from './file-hash.js';
import {
  type Catalog,
  type CatalogEntry,
  type CatalogTask,
  findEntry,
  loadCatalog,
} from './model-catalog.js';
import { type DownloadProgress, downloadModelFile } from './model-download.js';
import {
  CHECKPOINT_EXTENSIONS,
  checkpointPathOf,
  isInstalled,
  type ModelHandle,
  readCheckpointFile,
  removeCompiledGraphs,
} from './model-store.js';

/** Where models are installed and what to tell about it; every field has a default. */
export interface ModelStoreOptions {
  /** The catalog (default: `loadCatalog()`). */
  readonly catalog?: Catalog;
  /** Cache folder (default: SWINUP_CACHE, else the platform's cache folder). */
  readonly cacheDir?: string;
  /** Receives warnings, e.g. about models the catalog has no hash for. */
  readonly logger?: Logger;
  /** Environment read for SWINUP_CACHE and SWINUP_MODELS_BASE_URL (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Options of {@link pullModel}. */
export interface PullOptions extends ModelStoreOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
}

/** Options of {@link importCheckpoint}. */
export interface ImportOptions extends ModelStoreOptions {
  /** Id to install under (default: the catalog model with the same SHA-256, else the file's name). */
  readonly id?: string;
}

/** How an installed file was checked: against the catalog's hash, its size, or only by reading it as a SwinIR checkpoint. */
export type VerifyMethod = 'sha256' | 'size' | 'checkpoint';

/** `<cache>/models/<id>/model.json`: what `swinup models import` learnt about a checkpoint outside the catalog. */
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

/** The outcome of {@link verifyModel}. */
export interface VerifyResult {
  readonly id: string;
  readonly path: string;
  readonly ok: boolean;
  readonly method: VerifyMethod;
  /** SHA-256 of the file on disk. */
  readonly sha256: string;
  /** What is wrong, when not ok. */
  readonly problem?: string;
}

interface Store {
  readonly catalog: Catalog;
  readonly cacheDir: string;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function storeOf(options: ModelStoreOptions): Store {
  const env = options.env ?? process.env;
  return {
    catalog: options.catalog ?? loadCatalog(),
    cacheDir: resolveCacheDir(options.cacheDir, env),
    logger: options.logger ?? silentLogger,
    env,
  };
}

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

/** Checks a model id before it becomes a folder name (no separators, no `..`). */
function checkId(id: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new SwinupError(
      'INVALID_OPTION',
      `model id "${id}" is not allowed: use letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
  }
  return id;
}

function modelFolder(cacheDir: string, id: string): string {
  return join(cacheDir, 'models', checkId(id));
}

/**
 * The model.json of a model imported under `id`, or undefined when there is none. Throws when it
 * exists but cannot be read, so a damaged install is reported instead of silently ignored.
 */
export function importedModel(id: string, cacheDir: string): ImportedModel | undefined {
  const file = join(modelFolder(cacheDir, id), 'model.json');
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

/**
 * A model handle for an id installed by `swinup models import` (not in the catalog), or undefined.
 * The pipeline resolves ids the catalog does not know through this.
 */
export function importedModelHandle(id: string, cacheDir: string): ModelHandle | undefined {
  if (!ID_PATTERN.test(id)) return undefined;
  const model = importedModel(id, cacheDir);
  if (model === undefined) return undefined;
  return {
    id,
    checkpointPath: join(modelFolder(cacheDir, id), model.file),
    entry: undefined,
    imgRange: model.imgRange,
  };
}

/** Every catalog model (installed or not) and every imported one. */
export function listModels(options: ModelStoreOptions = {}): ModelListing[] {
  const store = storeOf(options);
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
  const folder = join(store.cacheDir, 'models');
  if (!existsSync(folder)) return rows;
  for (const child of readdirSync(folder, { withFileTypes: true })) {
    if (!child.isDirectory() || findEntry(store.catalog, child.name) !== undefined) continue;
    try {
      const model = importedModel(child.name, store.cacheDir);
      if (model === undefined) continue;
      const path = join(folder, child.name, model.file);
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

/**
 * Downloads a catalog model into the cache and verifies it (SHA-256, or size when the catalog has no
 * hash, with a warning). Does nothing when it is already installed.
 */
export async function pullModel(entry: CatalogEntry, options: PullOptions = {}): Promise<PullResult> {
  const store = storeOf(options);
  const path = checkpointPathOf(entry, store.catalog, store.cacheDir);
  if (entry.source.kind === 'bundled' || isInstalled(entry, store.catalog, store.cacheDir)) {
    return { id: entry.id, path, alreadyInstalled: true };
  }
  const verifiedBy = methodFor(entry.sha256, entry.size);
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

function methodFor(sha256: string | null, size: number | null): VerifyMethod {
  if (sha256 !== null) return 'sha256';
  return size !== null ? 'size' : 'checkpoint';
}

function unverifiableWarning(entry: CatalogEntry, method: VerifyMethod): string {
  const size = method === 'size' ? `its size (${entry.size} bytes) and by ` : '';
  return `the catalog has no SHA-256 for model "${entry.id}": it is checked only by ${size}reading it as a SwinIR checkpoint`;
}

/** Reads, checks and compiles (for the smallest input) a checkpoint: what the pipeline will do with it. */
function inspectCheckpoint(bytes: Uint8Array): { config: SwinIRConfig; stateDictKey: string | null } {
  const tensors = readCheckpoint(bytes);
  const { config } = inferConfig(tensors.weights, tensors.otherTensors);
  const side = config.window_size;
  buildSwinIRGraph(config, tensors.weights, [1, config.in_chans, side, side]);
  return { config, stateDictKey: tensors.stateDictKey };
}

/**
 * Installs a checkpoint the user already has. A file with a catalog model's hash (or imported with a
 * catalog id) is installed as that model; any other SwinIR checkpoint goes to
 * `<cache>/models/<id>/<file name>` with a model.json so it can be listed and used by id.
 */
export async function importCheckpoint(file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const store = storeOf(options);
  if (!CHECKPOINT_EXTENSIONS.includes(extname(file).toLowerCase())) {
    throw new SwinupError(
      'INVALID_OPTION',
      `${file} is not a checkpoint file: expected one of ${CHECKPOINT_EXTENSIONS.join(', ')}`,
      { file },
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await readCheckpointFile(file);
  } catch (error) {
    if (error instanceof SwinupError) throw withFile(error, file);
    throw new SwinupError('MODEL_NOT_FOUND', `cannot read ${file}: ${(error as Error).message}`, {
      file,
      cause: error,
    });
  }
  const sha256 = bytesSha256(bytes);
  let inspected: ReturnType<typeof inspectCheckpoint>;
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
    await writeFileAtomic(join(folder, 'model.json'), `${JSON.stringify(model, null, 2)}\n`);
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
  if (expected === null) logger.warn(unverifiableWarning(entry, methodFor(null, entry.size)));
}

function taskOf(config: Omit<SwinIRConfig, 'shifted'>): CatalogTask {
  if (config.upscale > 1) return 'sr';
  // The JPEG-artifact models are the only official layout with no upsampler and a 0–255 range.
  return config.img_range === 255 ? 'jpeg' : 'denoise';
}

function idFromFileName(file: string): string {
  const stem = basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return stem === '' ? 'imported' : stem;
}

/** Where an installed model's checkpoint is and what it should hash to; throws when it is not installed. */
function installedFile(
  id: string,
  store: Store,
): { path: string; sha256: string | null; size: number | null } {
  const entry = findEntry(store.catalog, id);
  if (entry !== undefined) {
    const path = checkpointPathOf(entry, store.catalog, store.cacheDir);
    if (!existsSync(path)) throw notInstalled(id, path);
    return { path, sha256: entry.sha256, size: entry.size };
  }
  const model = importedModel(id, store.cacheDir);
  if (model === undefined) {
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `no model "${id}" in the catalog or in ${join(store.cacheDir, 'models')}. See \`swinup models list\`.`,
    );
  }
  const path = join(modelFolder(store.cacheDir, id), model.file);
  if (!existsSync(path)) throw notInstalled(id, path);
  return { path, sha256: model.sha256, size: model.size };
}

function notInstalled(id: string, path: string): SwinupError {
  return new SwinupError(
    'MODEL_NOT_FOUND',
    `model "${id}" is not installed (${path} is missing). Run \`swinup models pull ${id}\`, ` +
      'or `swinup models import <file>` if you have the checkpoint.',
  );
}

/** Re-hashes an installed model against the catalog (or its model.json); never changes anything. */
export async function verifyModel(id: string, options: ModelStoreOptions = {}): Promise<VerifyResult> {
  const expected = installedFile(id, storeOf(options));
  const method = methodFor(expected.sha256, expected.size);
  const sha256 = await fileSha256(expected.path);
  const size = statSync(expected.path).size;
  let problem: string | undefined;
  if (expected.sha256 !== null && sha256 !== expected.sha256.toLowerCase()) {
    problem = `SHA-256 is ${sha256}, expected ${expected.sha256}`;
  } else if (expected.size !== null && size !== expected.size) {
    problem = `size is ${size} bytes, expected ${expected.size}`;
  } else if (method === 'checkpoint') {
    try {
      inspectCheckpoint(await readFile(expected.path));
    } catch (error) {
      problem = `not a usable SwinIR checkpoint: ${(error as Error).message}`;
    }
  }
  return {
    id,
    path: expected.path,
    ok: problem === undefined,
    method,
    sha256,
    ...(problem ? { problem } : {}),
  };
}

/** Deletes a pulled or imported model's folder from the cache (even a damaged one); returns that folder. */
export async function removeModel(id: string, options: ModelStoreOptions = {}): Promise<string> {
  const store = storeOf(options);
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
