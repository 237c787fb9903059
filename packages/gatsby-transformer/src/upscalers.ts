import { join } from 'node:path';
import { type Logger, UpscalerPool, type UpscalerStats } from '@swinup/core/adapter';
import type { GatsbyCache, Reporter } from 'gatsby';
import type { ResolvedOptions } from './options.js';

let shared: UpscalerPool | undefined;

/** Closes this process's upscalers, if any were created, and returns their work. */
export async function closeSharedUpscalers(): Promise<UpscalerStats | undefined> {
  const closing = shared;
  shared = undefined;
  return closing?.close();
}

/** The core's logger over Gatsby's reporter: progress as info, cache hits only with `--verbose`. */
function reporterLogger(reporter: Reporter): Logger {
  return {
    debug: (message) => reporter.verbose(`swinup: ${message}`),
    info: (message) => reporter.info(`swinup: ${message}`),
    warn: (message) => reporter.warn(`swinup: ${message}`),
  };
}

/**
 * The upscalers of this Gatsby process (the main one, or a query worker), created by the first hook or
 * resolver that needs one: results cached in the plugin's Gatsby cache folder, so a result computed in any
 * process is reused by all.
 */
export function upscalersFor(cache: GatsbyCache, reporter: Reporter, options: ResolvedOptions): UpscalerPool {
  shared ??= new UpscalerPool({
    resultCacheDir: join(cache.directory, 'results'),
    upscaler: options.upscaler,
    logger: reporterLogger(reporter),
  });
  return shared;
}
