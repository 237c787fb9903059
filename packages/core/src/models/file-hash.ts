import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SwinupError } from '../errors.js';

const known = new Map<string, { key: string; sha256: string }>();

/** SHA-256 (hex) of a file, remembered per path, size and modification time. */
export async function fileSha256(path: string): Promise<string> {
  const info = await stat(path);
  // A device or FIFO would stream forever.
  if (!info.isFile())
    throw new SwinupError('CHECKPOINT_FORMAT', `${path} is not a regular file; give a file`);
  const key = `${info.size}:${info.mtimeMs}`;
  const cached = known.get(path);
  if (cached?.key === key) return cached.sha256;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  known.set(path, { key, sha256 });
  return sha256;
}

/** SHA-256 (hex) of bytes in memory. */
export function bytesSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
