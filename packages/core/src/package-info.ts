import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root folder of the installed @swinup/core package. */
export const PACKAGE_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The installed @swinup/core version; part of every cache key so upgrades never reuse stale results. */
export const CORE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
