import type { IncomingMessage } from 'node:http';
import { SwinupError } from '../errors.js';
import { HttpError } from './http-error.js';

/**
 * Buffers the request body up to `limit` bytes. Past the limit it stops keeping data but keeps reading,
 * so the 413 can be answered on a connection that is still healthy. `noun` names the server in the message.
 */
export function readBody(req: IncomingMessage, limit: number, noun = 'the server'): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, 'BODY_TOO_LARGE', `the image is larger than ${noun} accepts (${formatBytes(limit)})`);
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] | undefined = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) chunks?.push(chunk);
      else if (chunks !== undefined) {
        chunks = undefined;
        reject(tooLarge());
      }
    });
    req.on('end', () => {
      if (chunks !== undefined) resolve(Buffer.concat(chunks, size));
    });
    req.on('close', () => {
      if (!req.complete) reject(new SwinupError('ABORTED', 'the client went away while sending the image'));
    });
  });
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : `${bytes} bytes`;
}
