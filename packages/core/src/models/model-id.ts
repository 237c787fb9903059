/** Model ids: an id becomes a folder name in the cache, so only safe names are allowed. */
import { basename, extname } from 'node:path';
import { SwinupError } from '../errors.js';

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

/** Whether `id` may name a model: letters, digits, `.`, `_` and `-`, never a separator or a leading dot. */
export function isModelId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** Checks a model id before it becomes a folder name (no separators, no `..`); returns it. */
export function checkId(id: string): string {
  if (!isModelId(id)) {
    throw new SwinupError(
      'INVALID_OPTION',
      `model id "${id}" is not allowed: use letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
  }
  return id;
}

/** The id a checkpoint is imported under when none is given: its file name, made a valid id. */
export function idFromFileName(file: string): string {
  const stem = basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return stem === '' ? 'imported' : stem;
}
