import { createRequire } from 'node:module';

/** The installed @swinup/core version; part of every cache key so upgrades never reuse stale results. */
export const CORE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
