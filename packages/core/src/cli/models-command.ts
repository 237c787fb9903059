import { parseArgs } from 'node:util';
import type { Logger } from '../logger.js';
import { resolveCacheDir } from '../models/cache-dir.js';
import { importCheckpoint } from '../models/import-checkpoint.js';
import { listModels, type ModelListing } from '../models/list-models.js';
import { loadCatalog, requireEntry } from '../models/model-catalog.js';
import { megabytes, modelDownloadUrl } from '../models/model-download.js';
import type { ModelStoreOptions } from '../models/model-store-options.js';
import { pullModel } from '../models/pull-model.js';
import { removeModel } from '../models/remove-model.js';
import type { VerifyMethod } from '../models/verify-method.js';
import { verifyModel } from '../models/verify-model.js';
import { asUsage, UsageError } from './arguments.js';
import { type CommandIO, untilInterrupted } from './command-io.js';
import { progressDrawer } from './download-progress.js';

/** Help text of `swinup models`. */
export const MODELS_HELP = `Usage: swinup models <list|pull|import|verify|rm> [options]

Installs and manages SwinIR models in the cache folder: SWINUP_CACHE, else the platform's cache
folder (~/.cache/swinup on Linux, ~/Library/Caches/swinup on macOS, %LOCALAPPDATA%\\swinup\\Cache on Windows).

Commands:
  list [--json]              catalog and imported models: id, scale, task, installed or not, size
  pull <id...>               download catalog models, verify their SHA-256 and install them
  import <file> [--id ID]    install a SwinIR .pth/.safetensors checkpoint you already have; a file
                             with a catalog model's hash is installed as that model
  verify [id...]             re-hash installed models (all of them when no id is given)
  rm <id...>                 delete pulled or imported models from the cache

Environment:
  SWINUP_CACHE               cache folder
  SWINUP_MODELS_BASE_URL     download <base>/<file name> instead of the catalog's URL (a mirror)`;

const VERIFIED: Record<VerifyMethod, string> = {
  sha256: 'SHA-256 verified',
  size: 'size verified; the catalog has no SHA-256',
  checkpoint: 'read as a SwinIR checkpoint; the catalog has no SHA-256 or size',
};

/** `swinup models`: list, download, import, verify and remove models. */
export async function modelsCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, id: { type: 'string' } },
    }),
  );
  const [action, ...args] = positionals;
  if (values.json && action !== 'list') throw new UsageError('--json is an option of `swinup models list`');
  if (values.id !== undefined && action !== 'import')
    throw new UsageError('--id is an option of `swinup models import`');
  const logger: Logger = { debug() {}, info() {}, warn: (m) => io.err(`swinup: warning: ${m}`) };
  const options: ModelStoreOptions = { logger };
  switch (action) {
    case 'list':
      if (args.length > 0) throw new UsageError('`swinup models list` takes no arguments');
      return list(io, values.json ?? false, options);
    case 'pull':
      if (args.length === 0)
        throw new UsageError('give the id of a catalog model (see `swinup models list`)');
      return untilInterrupted((signal) => pull(args, io, options, signal));
    case 'import': {
      const [file, ...extra] = args;
      if (file === undefined || extra.length > 0) throw new UsageError('give exactly one checkpoint file');
      return importFile(file, values.id, io, options);
    }
    case 'verify':
      return verify(args, io, options);
    case 'rm':
      if (args.length === 0) throw new UsageError('give the id of an installed model');
      for (const id of args) io.out(`removed ${id} (${await removeModel(id, options)})`);
      return 0;
    case undefined:
      throw new UsageError('give a command: list, pull, import, verify or rm');
    default:
      throw new UsageError(`unknown command "models ${action}": use list, pull, import, verify or rm`);
  }
}

function list(io: CommandIO, json: boolean, options: ModelStoreOptions): number {
  const rows = listModels(options);
  if (json) {
    io.out(JSON.stringify(rows));
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.id.length), 2);
  io.out(`${'ID'.padEnd(width)}  SCALE  TASK     INSTALLED  SIZE`);
  for (const row of rows) {
    const size = row.size === null ? '?' : megabytes(row.size);
    io.out(
      `${row.id.padEnd(width)}  ${`×${row.scale}`.padEnd(5)}  ${row.task.padEnd(7)}  ${installedLabel(row).padEnd(9)}  ${size}`,
    );
  }
  io.out(`cache: ${resolveCacheDir(undefined)}`);
  return 0;
}

function installedLabel(row: ModelListing): string {
  if (!row.installed) return '-';
  return row.origin === 'download' ? 'yes' : row.origin;
}

async function pull(
  ids: readonly string[],
  io: CommandIO,
  options: ModelStoreOptions,
  signal: AbortSignal,
): Promise<number> {
  const catalog = loadCatalog();
  const entries = ids.map((id) => requireEntry(catalog, id));
  try {
    for (const entry of entries) {
      if (!io.interactive && entry.source.kind === 'url') {
        io.err(`downloading ${entry.id} from ${modelDownloadUrl(entry)}`);
      }
      const result = await pullModel(entry.id, {
        ...options,
        catalog,
        signal,
        ...(io.interactive ? { onProgress: progressDrawer(entry.id, io) } : {}),
      });
      if (io.interactive) io.progress('');
      if (result.alreadyInstalled) io.out(`${entry.id} is already installed (${result.path})`);
      else {
        io.out(
          `pulled ${entry.id} → ${result.path} (${megabytes(result.size)}, ${VERIFIED[result.verifiedBy]})`,
        );
      }
    }
    return 0;
  } finally {
    if (io.interactive) io.progress('');
  }
}

async function importFile(
  file: string,
  id: string | undefined,
  io: CommandIO,
  options: ModelStoreOptions,
): Promise<number> {
  const result = await importCheckpoint(file, { ...options, ...(id === undefined ? {} : { id }) });
  const what = result.catalogModel ? `catalog model ${result.id}` : result.id;
  io.out(
    `imported ${file} as ${what} → ${result.path} (×${result.scale} ${result.task}, ${megabytes(result.size)})`,
  );
  io.out(`use it with: swinup <images...> --model ${result.id}`);
  return 0;
}

async function verify(ids: readonly string[], io: CommandIO, options: ModelStoreOptions): Promise<number> {
  const targets =
    ids.length > 0
      ? ids
      : listModels(options)
          .filter((m) => m.installed)
          .map((m) => m.id);
  if (targets.length === 0) {
    io.out('no models are installed');
    return 0;
  }
  let failed = 0;
  for (const id of targets) {
    const result = await verifyModel(id, options);
    if (result.ok) io.out(`ok      ${id} (${VERIFIED[result.method]})`);
    else {
      failed++;
      io.out(`FAILED  ${id}: ${result.problem} (${result.path})`);
    }
  }
  if (failed > 0) {
    io.err(
      `swinup: ${failed} model${failed > 1 ? 's are' : ' is'} damaged; run \`swinup models rm <id>\`, then pull or import it again`,
    );
  }
  return failed > 0 ? 1 : 0;
}
