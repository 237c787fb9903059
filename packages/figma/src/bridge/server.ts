import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUpscaler, type Logger, loadCatalog, silentLogger, type UpscalerOptions } from '@swinup/core';
import type { ErrorResponse, HealthResponse, JobProgress, ModelsResponse, QueueStats } from '../messages.js';
import { corsHeaders, FIGMA_ORIGINS, refusalOf } from './access-policy.js';
import { HttpError, httpErrorOf } from './http-error.js';
import { JobQueue } from './job-queue.js';
import { bearerToken, createPairingToken, MIN_TOKEN_LENGTH, tokenMatches } from './pairing-token.js';
import { readBody } from './request-body.js';
import { checkResultSize } from './result-size.js';
import { upscaleRequestOf } from './upscale-request.js';

/** The port the Figma plugin's manifest allows; change both together. */
export const DEFAULT_PORT = 47110;
const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Figma keeps images at most 4096 px a side, so larger results are of no use to the plugin. */
const DEFAULT_MAX_PIXELS = 4096 * 4096;
const DEFAULT_MAX_WAITING = 256;
/** Running jobs stop at their next tile on shutdown; past this, connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Version of the bridge (the @swinup/figma package). */
export const BRIDGE_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** Settings of {@link startBridge}. */
export interface BridgeOptions {
  /** Loopback port; 0 picks a free one (default {@link DEFAULT_PORT}). */
  port?: number;
  /** Pairing token clients must send as `Authorization: Bearer <token>` (default: a random one). */
  token?: string;
  /** Images upscaled at the same time (default 1: inference already uses every core). */
  concurrency?: number;
  /** Images that may wait for a slot; more are refused with 503 (default 256). */
  maxWaiting?: number;
  /** Largest request body in bytes; larger ones get 413 (default 32 MiB). */
  maxBodyBytes?: number;
  /** Largest result in pixels; images that would exceed it get 422 (default 4096 × 4096). */
  maxPixels?: number;
  /** Browser origins allowed besides requests without an Origin (default {@link FIGMA_ORIGINS}). */
  allowedOrigins?: readonly string[];
  /** How the bridge's upscaler is made: model, device, threads, tiling, cache folder. */
  upscaler?: Omit<UpscalerOptions, 'maxOutputPixels' | 'logger'>;
  /** Receives request and job notes; silent by default. */
  logger?: Logger;
}

/** A running bridge. */
export interface Bridge {
  /** Base URL, e.g. `http://127.0.0.1:47110`. */
  readonly url: string;
  readonly port: number;
  /** The pairing token clients must send. */
  readonly token: string;
  /** The model images are upscaled with, and where it runs. */
  readonly model: string;
  readonly device: string;
  /** Load of the job queue now. */
  readonly queue: QueueStats;
  /** Stops accepting requests, cancels queued and running jobs, and frees the model. */
  close(): Promise<void>;
}

/**
 * Starts the bridge: loads the model, then serves `GET /health`, `GET /models`, `GET /jobs/{id}` and
 * `POST /upscale` on 127.0.0.1 only. Every request but a CORS preflight (which browsers send without
 * credentials, and which does nothing) needs the pairing token.
 */
export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const token = options.token ?? createPairingToken();
  if (token.length < MIN_TOKEN_LENGTH)
    throw new RangeError(`the pairing token must have at least ${MIN_TOKEN_LENGTH} characters`);
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const allowedOrigins = options.allowedOrigins ?? FIGMA_ORIGINS;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const queue = new JobQueue(options.concurrency ?? 1, options.maxWaiting ?? DEFAULT_MAX_WAITING);
  const upscaler = await createUpscaler({
    ...options.upscaler,
    maxOutputPixels: maxPixels,
    logger,
  });
  const jobs = new Map<string, { progress: JobProgress; controller: AbortController }>();
  let port = 0;
  let closing = false;

  const health = (): HealthResponse => ({
    ok: true,
    version: BRIDGE_VERSION,
    model: upscaler.model,
    scale: upscaler.scale,
    device: upscaler.device ?? 'cpu',
    queue: queue.stats,
  });

  const models = (): ModelsResponse => ({
    active: upscaler.model,
    models: loadCatalog()
      .models.filter((entry) => entry.scale > 1)
      .map(({ id, title, task, scale }) => ({ id, title, task, scale })),
  });

  async function upscale(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const { options: upscaleOptions, jobId } = upscaleRequestOf(query);
    if (jobs.has(jobId)) throw new HttpError(409, 'JOB_EXISTS', `job ${jobId} is already in progress`);
    const controller = new AbortController();
    // 'close' before the answer is written means the client went away: its job is cancelled.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const progress = { state: 'queued' as JobProgress['state'], tilesDone: 0, tilesTotal: 0 };
    jobs.set(jobId, { progress, controller });
    try {
      const body = await readBody(req, maxBodyBytes);
      checkResultSize(body, upscaleOptions, { maxPixels, defaultScale: upscaler.scale });
      const started = Date.now();
      const result = await queue.run(() => {
        progress.state = 'running';
        return upscaler.upscale(body, {
          ...upscaleOptions,
          format: upscaleOptions.format ?? (isJpeg(body) ? 'jpeg' : 'png'),
          signal: controller.signal,
          onProgress: (p) => Object.assign(progress, p),
        });
      }, controller.signal);
      if (controller.signal.aborted) return;
      logger.info(
        `job ${jobId}: ${result.info.width}×${result.info.height} ${result.info.format} in ${Date.now() - started} ms`,
      );
      res.writeHead(200, {
        'Content-Type': `image/${result.info.format}`,
        'Content-Length': result.data.byteLength,
        'X-Swinup-Job': jobId,
        'X-Swinup-Width': result.info.width,
        'X-Swinup-Height': result.info.height,
      });
      res.end(result.data);
    } finally {
      jobs.delete(jobId);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const allow = (allowed: string) => {
      if (method !== allowed)
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `use ${allowed} ${url.pathname}`, { Allow: allowed });
    };
    if (url.pathname === '/health') {
      allow('GET');
      return sendJson(res, 200, health());
    }
    if (url.pathname === '/models') {
      allow('GET');
      return sendJson(res, 200, models());
    }
    if (url.pathname.startsWith('/jobs/')) {
      allow('GET');
      // Job ids are letters, digits, _ and -, so the path needs no decoding.
      const job = jobs.get(url.pathname.slice('/jobs/'.length));
      if (job === undefined) throw new HttpError(404, 'JOB_NOT_FOUND', 'no such job is queued or running');
      return sendJson(res, 200, job.progress);
    }
    if (url.pathname === '/upscale') {
      allow('POST');
      return upscale(req, res, url.searchParams);
    }
    throw new HttpError(
      404,
      'NOT_FOUND',
      `no route ${url.pathname}; see GET /health, /models, POST /upscale`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () =>
      logger.debug(`${req.method} ${url.pathname} → ${res.statusCode} in ${Date.now() - started} ms`),
    );
    try {
      if (closing) throw new HttpError(503, 'SHUTTING_DOWN', 'the bridge is shutting down');
      const refusal = refusalOf(req, port, allowedOrigins);
      if (refusal !== undefined) throw new HttpError(403, refusal.code, refusal.message);
      for (const [name, value] of Object.entries(corsHeaders(req))) res.setHeader(name, value);
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      if (!tokenMatches(token, bearerToken(req.headers.authorization))) {
        throw new HttpError(
          401,
          'UNAUTHORIZED',
          'missing or wrong pairing token: send the token swinup-bridge printed as "Authorization: Bearer <token>"',
          { 'WWW-Authenticate': 'Bearer realm="swinup-bridge"' },
        );
      }
      await route(req, res, url);
    } catch (error) {
      const failure = httpErrorOf(error, closing);
      if (failure === undefined || res.headersSent || res.destroyed) return;
      if (failure.status >= 500) logger.warn(`${req.method} ${url.pathname}: ${failure.message}`);
      sendJson(
        res,
        failure.status,
        { error: { code: failure.code, message: failure.message } },
        failure.headers,
      );
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.warn(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? DEFAULT_PORT, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await upscaler.close();
    throw error;
  });
  port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    model: upscaler.model,
    device: upscaler.device ?? 'cpu',
    get queue() {
      return queue.stats;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const job of jobs.values()) job.controller.abort();
        server.closeIdleConnections();
        const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        await stopped;
        clearTimeout(cut);
        await upscaler.close();
      })();
      return closed;
    },
  };
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: HealthResponse | ModelsResponse | JobProgress | ErrorResponse,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}
