/** `swinup models verify`: re-checks an installed model's file against what it should be. */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { inspectCheckpoint } from '../compiler.js';
import { SwinupError } from '../errors.js';
import { fileSha256 } from './file-hash.js';
import { findEntry } from './model-catalog.js';
import { checkpointPathOf, modelsRoot, notInstalled } from './model-layout.js';
import { importedCheckpointPath, importedModel } from './model-manifest.js';
import { type ModelStore, type ModelStoreOptions, modelStoreOf } from './model-store-options.js';
import { type VerifyMethod, verifyMethodFor } from './verify-method.js';

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

/** Re-hashes an installed model against the catalog (or its model.json); never changes anything. */
export async function verifyModel(id: string, options: ModelStoreOptions = {}): Promise<VerifyResult> {
  const expected = installedFile(id, modelStoreOf(options));
  const method = verifyMethodFor(expected.sha256, expected.size);
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

/** Where an installed model's checkpoint is and what it should hash to; throws when it is not installed. */
function installedFile(
  id: string,
  store: ModelStore,
): { path: string; sha256: string | null; size: number | null } {
  const entry = findEntry(store.catalog, id);
  if (entry !== undefined) {
    const path = checkpointPathOf(entry, store.catalog, store.cacheDir);
    if (!existsSync(path)) throw notInstalled({ id, checkpointPath: path });
    return { path, sha256: entry.sha256, size: entry.size };
  }
  const model = importedModel(id, store.cacheDir);
  if (model === undefined) {
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `no model "${id}" in the catalog or in ${modelsRoot(store.cacheDir)}. See \`swinup models list\`.`,
    );
  }
  const path = importedCheckpointPath(model, store.cacheDir);
  if (!existsSync(path)) throw notInstalled({ id, checkpointPath: path });
  return { path, sha256: model.sha256, size: model.size };
}
