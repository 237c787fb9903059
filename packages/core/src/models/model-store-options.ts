/** The options every `models` verb takes (catalog, cache folder, logger, environment) and their defaults. */
import { type Logger, silentLogger } from '../logger.js';
import { resolveCacheDir } from './cache-dir.js';
import { type Catalog, loadCatalog } from './model-catalog.js';

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

/** {@link ModelStoreOptions} with every default filled in. */
export interface ModelStore {
  readonly catalog: Catalog;
  readonly cacheDir: string;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Fills in the defaults of {@link ModelStoreOptions}. */
export function modelStoreOf(options: ModelStoreOptions): ModelStore {
  const env = options.env ?? process.env;
  return {
    catalog: options.catalog ?? loadCatalog(),
    cacheDir: resolveCacheDir(options.cacheDir, env),
    logger: options.logger ?? silentLogger,
    env,
  };
}
