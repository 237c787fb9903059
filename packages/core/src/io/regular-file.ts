import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { SwinupError, type SwinupErrorCode } from '../errors.js';

/** Limits and wording for {@link readRegularFile}. */
export interface RegularFileOptions {
  /** Largest size accepted, in bytes; larger files are refused before any byte is read. */
  readonly maxBytes: number;
  /** What the file is, for messages ("image", "checkpoint"). */
  readonly what: string;
  /** Error code of the refusal. */
  readonly code: SwinupErrorCode;
}

/**
 * Reads a whole regular file, refusing devices, pipes and sockets (which never end: `/dev/zero`, a FIFO) and
 * files over `maxBytes`. The checks run on the opened descriptor, so the file cannot be swapped in between;
 * opening is non-blocking, so a FIFO without a writer cannot hang here.
 */
export async function readRegularFile(path: string, options: RegularFileOptions): Promise<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const kind = info.isDirectory() ? 'is a folder' : 'not a regular file (a device, pipe or socket)';
      throw new SwinupError(options.code, `cannot read ${options.what}: ${kind}; give a file`);
    }
    if (info.size > options.maxBytes) {
      throw new SwinupError(
        options.code,
        `cannot read ${options.what}: ${info.size} bytes, more than the ${options.maxBytes} allowed`,
      );
    }
    // Reads only the size stat saw: a file that grows meanwhile cannot make this read unbounded.
    const bytes = new Uint8Array(info.size);
    let filled = 0;
    while (filled < bytes.byteLength) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.byteLength - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
