import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

/** What a cache entry holds besides the image bytes. */
export interface CachedMetadata {
  readonly [key: string]: unknown;
}

/** A cache hit. */
export interface CacheEntry<M extends CachedMetadata> {
  readonly data: Buffer;
  readonly metadata: M;
}

const MAGIC = 'swinup-result-v2';

/** A stable hash of the parts that determine a result (source bytes' hash, models' hashes, options, version). */
export function resultCacheKey(parts: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(stableJson(parts)).digest('hex');
}

/** JSON with object keys sorted, so equal option objects give equal keys whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash that seals an entry: its key, its metadata and its bytes, so none can change unnoticed. */
function seal(key: string, metadata: CachedMetadata, data: Buffer): string {
  return createHash('sha256')
    .update(`${key}\n${stableJson(metadata)}\n`)
    .update(data)
    .digest('hex');
}

/**
 * A content-addressed on-disk cache of upscaled images. Each entry is one file written atomically:
 * a header line with the metadata and a SHA-256 over key, metadata and image bytes, then the bytes. An
 * entry whose hash does not match (torn, corrupted or edited) is deleted and treated as a miss.
 */
export class ResultCache<M extends CachedMetadata = CachedMetadata> {
  constructor(readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.bin`);
  }

  /** The entry for `key`, or undefined (missing or corrupt). */
  async get(key: string): Promise<CacheEntry<M> | undefined> {
    const path = this.path(key);
    let file: Buffer;
    try {
      file = await readFile(path);
    } catch {
      return undefined;
    }
    const newline = file.indexOf(0x0a);
    try {
      const header = JSON.parse(file.subarray(0, newline).toString('utf8')) as {
        magic: string;
        sha256: string;
        metadata: M;
      };
      const data = file.subarray(newline + 1);
      if (header.magic === MAGIC && seal(key, header.metadata, data) === header.sha256) {
        return { data, metadata: header.metadata };
      }
    } catch {
      // Unparseable header: fall through to delete.
    }
    await rm(path, { force: true });
    return undefined;
  }

  /** Stores an entry atomically. */
  async set(key: string, data: Buffer, metadata: M): Promise<void> {
    const path = this.path(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const sha256 = seal(key, metadata, data);
    const header = Buffer.from(`${JSON.stringify({ magic: MAGIC, sha256, metadata })}\n`);
    await writeFileAtomic(path, Buffer.concat([header, data]));
  }
}
