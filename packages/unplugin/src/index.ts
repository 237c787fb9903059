/**
 * @swinup/unplugin — upscale image assets with SwinIR while Vite, webpack, Rollup, esbuild or Rspack
 * builds the site: `import hero from './hero.png?upscale'` gives the URL of the emitted, enlarged image.
 * @packageDocumentation
 */

import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import {
  type Logger,
  mergeSettings,
  type UpscaleResult,
  UpscalerPool,
  type UpscaleSettings,
} from '@swinup/core/adapter';
import picomatch from 'picomatch';
import {
  createUnplugin,
  type UnpluginContextMeta,
  type UnpluginInstance,
  type UnpluginOptions,
} from 'unplugin';
import {
  type AssetEmitter,
  assetName,
  EsbuildAssets,
  metaModule,
  rollupEmitter,
  viteEmitter,
  webpackEmitter,
} from './asset-modules.js';
import { DevAssets } from './dev-server.js';
import { resolvePluginOptions, type SwinupPluginOptions } from './options.js';
import { type ImportAs, parseUpscaleQuery, splitQuery, UPSCALE_QUERY, urlVariantOf } from './query.js';

export type { UpscaledImageMeta } from './asset-modules.js';
export type {
  PluginUpscalerOptions,
  SwinupPluginOptions,
  UpscaleEvent,
  UpscaleStats,
} from './options.js';
export type { ImportAs, UpscaleQuery, UpscaleSettings } from './query.js';
export { parseUpscaleQuery } from './query.js';

const NAME = 'swinup';
const DEFAULT_CACHE_DIR = 'node_modules/.cache/swinup';
/** Ids worth a look when `include` is set: opted in by query, or an image the globs may select. */
const QUERY_OR_IMAGE = new RegExp(`${UPSCALE_QUERY.source}|\\.(?:png|jpe?g|webp|avif|tiff?|gif)$`, 'i');
const quiet: Logger = { debug() {}, info() {}, warn() {} };

/** The logging side of a webpack or Rspack compiler: its root folder and infrastructure logger. */
interface WebpackLikeCompiler {
  readonly options: { readonly context?: string | undefined };
  getInfrastructureLogger(name: string): Logger;
}

/** The error a build reports for an image: its name and the reason, the original error as the cause. */
function imageError(name: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`swinup could not upscale ${name}: ${reason}`, { cause: error });
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function plugin(rawOptions: SwinupPluginOptions | undefined, meta: UnpluginContextMeta): UnpluginOptions {
  const options = resolvePluginOptions(rawOptions);
  const esbuildAssets = new EsbuildAssets();
  const emitters: Partial<Record<string, AssetEmitter>> = {
    rollup: rollupEmitter,
    vite: viteEmitter,
    webpack: webpackEmitter,
    rspack: webpackEmitter,
    esbuild: esbuildAssets.emit,
  };
  const emit = emitters[meta.framework];
  if (emit === undefined)
    throw new Error(
      `@swinup/unplugin supports Vite, webpack, Rollup, esbuild and Rspack, not ${meta.framework}`,
    );

  // Known once the bundler's configuration is (Vite's root, webpack's context, esbuild's working folder).
  let root = process.cwd();
  let logger = options.logger ?? quiet;
  let selects: ((file: string) => boolean) | undefined;
  let pool: UpscalerPool | undefined;
  let dev: DevAssets | undefined;

  // Relative to the project root in messages and globs; absolute for files outside it.
  const nameOf = (file: string) => {
    const path = relative(root, file);
    const outside = path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path);
    return outside ? file : path.split(sep).join('/');
  };
  const poolOf = () =>
    (pool ??= new UpscalerPool({
      resultCacheDir: resolve(root, options.cacheDir ?? DEFAULT_CACHE_DIR),
      upscaler: options.upscaler,
      logger,
    }));
  /** Upscales one image of the build; failures name the image. */
  const upscaleImage = async (file: string, settings: UpscaleSettings): Promise<UpscaleResult> => {
    try {
      const result = await poolOf().upscale(file, settings, { name: nameOf(file) });
      options.onResult?.({ file, info: result.info });
      return result;
    } catch (error) {
      throw imageError(nameOf(file), error);
    }
  };

  /** Whether `include`/`exclude` (relative to the root, or absolute) select an image imported without a query. */
  const selected = (file: string): boolean => {
    if (options.include.length === 0) return false;
    if (selects === undefined) {
      const matcher = (globs: readonly string[]) => {
        const matches = globs.length > 0 ? picomatch([...globs], { dot: true }) : () => false;
        return (path: string) => matches(nameOf(path)) || matches(path.split(sep).join('/'));
      };
      const included = matcher(options.include);
      const excluded = matcher(options.exclude);
      selects = (path) => included(path) && !excluded(path);
    }
    return selects(file);
  };

  /** What an id asks for, or undefined when it is not an image to upscale. */
  const requestOf = (id: string): { settings: UpscaleSettings; as: ImportAs } | undefined => {
    if (id.startsWith('\0')) return undefined;
    const [file, query] = splitQuery(id);
    const parsed = parseUpscaleQuery(query);
    if (parsed !== undefined)
      return { settings: mergeSettings(options.defaults, parsed.settings), as: parsed.as };
    return query === '' && selected(file) ? { settings: options.defaults, as: 'url' } : undefined;
  };

  const adoptCompiler = (compiler: WebpackLikeCompiler) => {
    root = compiler.options.context ?? root;
    logger = options.logger ?? compiler.getInfrastructureLogger(NAME);
  };

  const filter = { id: options.include.length > 0 ? QUERY_OR_IMAGE : UPSCALE_QUERY };

  return {
    name: NAME,
    // Before Vite's asset plugin, which would otherwise load `hero.png?upscale` as a plain asset.
    enforce: 'pre',

    resolveId: {
      filter,
      // Relative and absolute imports only: the bundler resolves aliases and keeps the query.
      handler(source, importer) {
        const [path, query] = splitQuery(source);
        const marked = UPSCALE_QUERY.test(`?${query}`);
        if (source.startsWith('\0') || (!marked && query !== '')) return null;
        const relativePath = path.startsWith('./') || path.startsWith('../');
        if (!relativePath && !isAbsolute(path)) return null;
        const from = importer === undefined ? root : dirname(splitQuery(importer)[0]);
        const file = relativePath ? resolve(from, path) : path;
        if (!isFile(file)) return null;
        // A query keeps the image apart from plain imports of the file, and from their loaders.
        if (marked) return `${file}?${query}`;
        return selected(file) ? `${file}?upscale` : null;
      },
    },

    load: {
      filter,
      async handler(id) {
        const [file] = splitQuery(id);
        let request: ReturnType<typeof requestOf>;
        try {
          request = requestOf(id);
        } catch (error) {
          throw imageError(nameOf(file), error);
        }
        if (request === undefined) return null;
        this.addWatchFile(file);
        const { settings } = request;
        if (request.as === 'url' && dev !== undefined) {
          const name = settings.format === undefined ? basename(file) : assetName(file, settings.format);
          return dev.module(id, file, name, settings);
        }
        const result = await upscaleImage(file, settings);
        if (request.as === 'meta') return metaModule(urlVariantOf(id), result.info);
        return emit(this, { file, name: assetName(file, result.info.format), data: result.data });
      },
    },

    async buildEnd() {
      const finished = pool;
      pool = undefined;
      const stats = finished === undefined ? { inferences: 0, cacheHits: 0 } : await finished.close();
      // One line per build that shows whether the cache works, e.g. on CI.
      if (finished !== undefined)
        logger.info(
          `${stats.inferences} image(s) upscaled, ${stats.cacheHits} from the cache in ${finished.resultCacheDir}`,
        );
      options.onStats?.(stats);
    },

    vite: {
      configResolved(config) {
        root = config.root;
        logger = options.logger ?? {
          debug: () => {},
          info: (message) => config.logger.info(`${NAME}: ${message}`, { timestamp: true }),
          warn: (message) => config.logger.warn(`${NAME}: ${message}`, { timestamp: true }),
        };
        if (config.command === 'serve') dev = new DevAssets(config.base, config.logger, upscaleImage);
      },
      configureServer(server) {
        if (dev !== undefined) server.middlewares.use(dev.middleware);
      },
    },
    webpack: adoptCompiler,
    rspack: adoptCompiler,
    esbuild: {
      config(initialOptions) {
        root = initialOptions.absWorkingDir ?? root;
      },
      setup: (build) => esbuildAssets.setup(build),
    },
  };
}

/**
 * The swinup build plugin for every supported bundler; the `@swinup/unplugin/<bundler>` entries
 * export its members.
 */
export const unplugin: UnpluginInstance<SwinupPluginOptions | undefined, false> = createUnplugin(plugin);

export default unplugin;
