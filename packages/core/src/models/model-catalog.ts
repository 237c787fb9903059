import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
}

/** The parsed catalog. */
export interface Catalog {
  /** Default model id per task. */
  readonly defaults: Readonly<Record<string, string>>;
  readonly models: readonly CatalogEntry[];
  /** Folder the bundled files are relative to. */
  readonly modelsDir: string;
}

/** The repository's `models/` folder (SWINUP_MODELS_DIR overrides, e.g. for a packaged install). */
export function defaultModelsDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.SWINUP_MODELS_DIR ?? resolve(PACKAGE_ROOT, '../../models');
}

const cache = new Map<string, Catalog>();

/** Reads `catalog.json` from a models folder (once per folder). */
export function loadCatalog(modelsDir: string = defaultModelsDir()): Catalog {
  const cached = cache.get(modelsDir);
  if (cached !== undefined) return cached;
  const file = join(modelsDir, 'catalog.json');
  let parsed: { defaults?: Record<string, string>; models?: CatalogEntry[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `cannot read the model catalog ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const catalog = { defaults: parsed.defaults ?? {}, models: parsed.models ?? [], modelsDir };
  cache.set(modelsDir, catalog);
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
