import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { UpscaleResult } from '@swinup/core';
import type { Connect, Logger as ViteLogger } from 'vite';
import type { UpscaleSettings } from './query.js';

const MIME_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

/** Runs one upscale of the build's pool. */
export type UpscaleJob = (file: string, settings: UpscaleSettings) => Promise<UpscaleResult>;

/**
 * Upscaled images of the Vite dev server. Nothing runs when the server starts: an image is upscaled
 * in the background once a module imports it, and a middleware serves it when it is ready (a request
 * that comes earlier simply waits).
 */
export class DevAssets {
  private readonly jobs = new Map<string, Promise<UpscaleResult>>();
  private readonly prefix: string;

  constructor(
    base: string,
    private readonly logger: ViteLogger,
    private readonly upscale: UpscaleJob,
  ) {
    this.prefix = `${base.endsWith('/') ? base : `${base}/`}@swinup/`;
  }

  /** Starts upscaling an image and returns the module whose default export is its dev URL. */
  module(id: string, file: string, name: string, settings: UpscaleSettings): string {
    // The source's modification time is in the URL so an edited image is fetched and upscaled anew.
    const version = statSync(file).mtimeMs;
    const token = createHash('sha256').update(`${id}\0${version}`).digest('hex').slice(0, 16);
    if (!this.jobs.has(token)) {
      const job = this.upscale(file, settings);
      job.catch((error: Error) => this.logger.error(error.message, { timestamp: true }));
      this.jobs.set(token, job);
    }
    return `export default ${JSON.stringify(`${this.prefix}${token}/${name}`)};\n`;
  }

  /** Serves `<base>@swinup/<token>/<name>`. */
  readonly middleware: Connect.NextHandleFunction = (req, res, next) => {
    const url = req.url ?? '';
    if (!url.startsWith(this.prefix)) return next();
    const job = this.jobs.get(url.slice(this.prefix.length).split('/')[0] ?? '');
    if (job === undefined) return next();
    job.then(
      ({ data, info }) => {
        res.setHeader('Content-Type', MIME_TYPES[info.format] ?? 'application/octet-stream');
        res.setHeader('Cache-Control', 'no-cache');
        res.end(data);
      },
      (error: Error) => {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(error.message);
      },
    );
  };
}
