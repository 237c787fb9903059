import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { SwinupError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-info.js';

/** Catalog task names (`real-sr` models serve the `sr` task too). */
export type CatalogTask = 'sr' | 'real-sr' | 'denoise' | 'jpeg';

/** Where a model's weights come from. */
export type ModelSource =
  | { readonly kind: 'bundled'; readonly file: string }
  | { readonly kind: 'url'; readonly url: string; readonly file: string };

/** One model of the catalog. */
export interface CatalogEntry {
  readonly id: string;
  readonly title: string;
  readonly task: CatalogTask;
  readonly scale: number;
  readonly noiseLevel?: number;
  readonly jpegQuality?: number;
  readonly arch: { readonly window_size: number; readonly in_chans: number } & Record<string, unknown>;
  readonly imgRange: number;
  readonly source: ModelSource;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly sha256Source: string;
  readonly stateDictKey: string;
  readonly license: string;
  readonly published: { dataset: string; yPsnr: number | null; ySsim: number | null } | null;
  /** Quality this project measured with `swinup eval`, where it did. */
  readonly measured?: { dataset: string; yPsnr: number; ySsim: number; version?: string } | null;
}

/** The parsed catalog. */
export interface Catalog {
  /** Default model id per task. */
  readonly defaults: Readonly<Record<string, string>>;
  readonly models: readonly CatalogEntry[];
  /** Folder the bundled files are relative to. */
  readonly modelsDir: string;
}

/** Where to read a catalog from: a folder holding `catalog.json` and its bundled files, or a catalog file. */
export interface CatalogLocation {
  /** Folder with `catalog.json`; bundled weights are relative to it (default: the `@swinup/models` package). */
  readonly modelsDir?: string | undefined;
  /** A catalog file; wins over `modelsDir`, and its bundled weights are relative to its own folder. */
  readonly catalog?: string | undefined;
}

const MODELS_PACKAGE = '@swinup/models';

/**
 * The folder of the installed `@swinup/models` package, found by Node's resolution from this package (so
 * npm, pnpm and yarn layouts all work); `SWINUP_MODELS_DIR` overrides it.
 */
export function defaultModelsDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env.SWINUP_MODELS_DIR;
  if (override !== undefined && override !== '') return resolve(override);
  try {
    return dirname(createRequire(import.meta.url).resolve(`${MODELS_PACKAGE}/catalog.json`));
  } catch (error) {
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `cannot find the ${MODELS_PACKAGE} package (the catalog and bundled weights) from ${PACKAGE_ROOT}: ` +
        `${(error as Error).message.split('\n')[0]}. Reinstall @swinup/core, or set SWINUP_MODELS_DIR to a folder ` +
        'holding catalog.json.',
      { cause: error },
    );
  }
}

/** The catalog file a location names. */
export function catalogPath(location: CatalogLocation = {}, env = process.env): string {
  if (location.catalog !== undefined) return resolve(location.catalog);
  return join(
    location.modelsDir === undefined ? defaultModelsDir(env) : resolve(location.modelsDir),
    'catalog.json',
  );
}

const cache = new Map<string, Catalog>();

/** Reads a catalog (once per file): from a models folder (a string) or a {@link CatalogLocation}. */
export function loadCatalog(location: string | CatalogLocation = {}): Catalog {
  const file = catalogPath(typeof location === 'string' ? { modelsDir: location } : location);
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  let parsed: { defaults?: Record<string, string>; models?: CatalogEntry[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `cannot read the model catalog ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    (parsed.models !== undefined && !Array.isArray(parsed.models))
  ) {
    throw new SwinupError('MODEL_NOT_FOUND', `the model catalog ${file} has no "models" list`);
  }
  const catalog = { defaults: parsed.defaults ?? {}, models: parsed.models ?? [], modelsDir: dirname(file) };
  cache.set(file, catalog);
  return catalog;
}

/** Finds a catalog entry by id. */
export function findEntry(catalog: Catalog, id: string): CatalogEntry | undefined {
  return catalog.models.find((m) => m.id === id);
}

/** A catalog entry by id, or an error listing similar ids. */
export function requireEntry(catalog: Catalog, id: string): CatalogEntry {
  const entry = findEntry(catalog, id);
  if (entry !== undefined) return entry;
  const near = catalog.models.filter((m) => m.id.includes(id) || id.includes(m.id)).map((m) => m.id);
  const hint = near.length > 0 ? ` Did you mean ${near.slice(0, 4).join(', ')}?` : '';
  throw new SwinupError(
    'MODEL_NOT_FOUND',
    `unknown model "${id}": not in the catalog and not a file.${hint} See \`swinup models list\`.`,
  );
}
