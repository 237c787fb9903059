import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { temporarySibling } from '../atomic-file.js';
import { SwinupError } from '../errors.js';
import type { CatalogEntry } from './model-catalog.js';

/** What a download has fetched so far; `total` is undefined when the server does not say. */
export interface DownloadProgress {
  readonly done: number;
  readonly total: number | undefined;
}

/** Options of {@link downloadModelFile}. */
export interface DownloadOptions {
  /** Environment read for `SWINUP_MODELS_BASE_URL`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Stops the download; the temporary file is removed and an `ABORTED` error thrown. */
  readonly signal?: AbortSignal;
  /** Called after every received chunk. */
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Extra check of the complete temporary file before it is renamed into place (throw to refuse it). */
  readonly validate?: (temporaryPath: string) => Promise<void>;
}

/** A verified, installed download. */
export interface DownloadResult {
  readonly url: string;
  readonly size: number;
  readonly sha256: string;
}

/** A byte count as people read download sizes: `17.2 MB`. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Where a catalog model is downloaded from: its release URL, or the same file name under SWINUP_MODELS_BASE_URL. */
export function modelDownloadUrl(
  entry: CatalogEntry,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (entry.source.kind !== 'url') {
    throw new SwinupError('MODEL_NOT_FOUND', `model "${entry.id}" is bundled with swinup, not downloaded`);
  }
  const base = env.SWINUP_MODELS_BASE_URL;
  if (!base) return entry.source.url;
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(entry.source.file)}`;
}

/**
 * Downloads a catalog model's checkpoint to `target`: streamed into a temporary file beside it while
 * hashing, checked against the catalog's size and SHA-256, then renamed into place. On any failure
 * the temporary file (and any folder this call created) is removed, so `target` exists only when verified.
 */
export async function downloadModelFile(
  entry: CatalogEntry,
  target: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const url = modelDownloadUrl(entry, options.env);
  const createdDir = await mkdir(dirname(target), { recursive: true });
  const temporary = temporarySibling(target);
  try {
    const { size, sha256 } = await fetchToFile(entry, url, temporary, options);
    await options.validate?.(temporary);
    await rename(temporary, target);
    return { url, size, sha256 };
  } catch (error) {
    await rm(temporary, { force: true });
    if (createdDir !== undefined) await removeEmptyFolders(dirname(target), createdDir);
    throw error;
  }
}

async function fetchToFile(
  entry: CatalogEntry,
  url: string,
  temporary: string,
  options: DownloadOptions,
): Promise<{ size: number; sha256: string }> {
  const failed = (reason: string, cause?: unknown) =>
    new SwinupError(
      'DOWNLOAD_FAILED',
      `cannot download model "${entry.id}" from ${url}: ${reason}. Check your connection (or SWINUP_MODELS_BASE_URL), ` +
        `or download that file elsewhere and run \`swinup models import <file> --id ${entry.id}\`.`,
      { cause },
    );
  const hash = createHash('sha256');
  let done = 0;
  let total: number | undefined;
  try {
    // Identity encoding: sizes and hashes are of the file itself, not of a compressed transfer.
    const response = await fetch(url, {
      headers: { 'accept-encoding': 'identity' },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw failed(`the server answered ${response.status} ${response.statusText}`.trim());
    }
    const length = response.headers.get('content-length');
    total = length === null ? undefined : Number(length);
    await pipeline(
      response.body,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          done += chunk.byteLength;
          // Stop early rather than fill the disk with something that cannot be the right file.
          if (entry.size !== null && done > entry.size) throw sizeMismatch(entry, url, `more than ${done}`);
          options.onProgress?.({ done, total });
          yield chunk;
        }
      },
      createWriteStream(temporary, { flags: 'wx' }),
      options.signal === undefined ? {} : { signal: options.signal },
    );
  } catch (error) {
    if (error instanceof SwinupError) throw error;
    if (options.signal?.aborted) {
      throw new SwinupError('ABORTED', `download of model "${entry.id}" from ${url} was interrupted`, {
        cause: error,
      });
    }
    if (isFileSystemError(error)) {
      throw new SwinupError(
        'OUTPUT_FAILED',
        `cannot write the download of model "${entry.id}" to ${temporary}: ${error.message}. ` +
          'Free some space or point SWINUP_CACHE at a writable folder.',
        { cause: error, file: temporary },
      );
    }
    const reason = describeNetworkError(error);
    throw failed(total === undefined ? reason : `${cutOff(done, total)} (${reason})`, error);
  }
  if (total !== undefined && done !== total) throw failed(cutOff(done, total));
  if (entry.size !== null && done !== entry.size) throw sizeMismatch(entry, url, String(done));
  const sha256 = hash.digest('hex');
  if (entry.sha256 !== null && sha256 !== entry.sha256.toLowerCase()) {
    throw new SwinupError(
      'MODEL_VERIFY_FAILED',
      `the download of model "${entry.id}" from ${url} is damaged or not the catalog's file: ` +
        `SHA-256 ${sha256}, expected ${entry.sha256}. It was discarded; try again, and if it keeps failing ` +
        'the server (or SWINUP_MODELS_BASE_URL) serves another file.',
    );
  }
  return { size: done, sha256 };
}

function cutOff(done: number, total: number): string {
  return `the connection broke after ${done} of ${total} bytes`;
}

function sizeMismatch(entry: CatalogEntry, url: string, got: string): SwinupError {
  return new SwinupError(
    'MODEL_VERIFY_FAILED',
    `the download of model "${entry.id}" from ${url} has ${got} bytes but the catalog expects ${entry.size}. ` +
      'It was discarded; the server (or SWINUP_MODELS_BASE_URL) serves another file.',
  );
}

/** fetch reports network failures as "fetch failed" with the system error (or its own reason) as the cause. */
function describeNetworkError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code !== undefined) return `${cause.code} (${cause.message})`;
  return cause?.message ? `${message}: ${cause.message}` : message;
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).path === 'string';
}

/** Removes `folder` and its parents up to `top` while they are empty (another process may be using them). */
async function removeEmptyFolders(folder: string, top: string): Promise<void> {
  for (let current = folder; !relative(top, current).startsWith('..'); current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    if (current === top) return;
  }
}
