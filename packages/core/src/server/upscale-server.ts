import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpscalerPool } from '../adapter/upscaler-pool.js';
import { type Logger, silentLogger } from '../logger.js';
import { loadCatalog } from '../models/model-catalog.js';
import type { UpscalerOptions } from '../options.js';
import { corsHeaders, refusalOf } from './access-policy.js';
import { HttpError, httpErrorOf } from './http-error.js';
import { streamJobEvents, TrackedJob } from './job-events.js';
import { JobQueue } from './job-queue.js';
import { ModelChoice, pullPathId } from './model-routes.js';
import { bearerToken, createPairingToken, MIN_TOKEN_LENGTH, tokenMatches } from './pairing-token.js';
import { readBody } from './request-body.js';
import { checkResultSize } from './result-size.js';
import type {
  ErrorResponse,
  HealthResponse,
  JobEnd,
  JobProgress,
  ModelsResponse,
  PullProgress,
  QueueStats,
} from './server-types.js';
import { serveStatic } from './static-files.js';
import { upscaleRequestOf } from './upscale-request.js';

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_MAX_PIXELS = 4096 * 4096;
const DEFAULT_MAX_WAITING = 256;
/** Running jobs stop at their next tile on shutdown; past this, connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/** How a server names itself in its answers. */
export interface ServerWording {
  /** The server in a sentence, e.g. `the bridge`. */
  readonly noun: string;
  /** The program that prints the token, e.g. `swinup-bridge`; also the `WWW-Authenticate` realm. */
  readonly program: string;
  /** Ends the refusal of a foreign origin: `origin X may not use <originRule>`. */
  readonly originRule: string;
}

/** Settings of {@link startUpscaleServer}. */
export interface UpscaleServerOptions {
  /** Loopback port; 0 picks a free one. */
  port: number;
  /** Version reported by `GET /health`. */
  version: string;
  wording: ServerWording;
  /**
   * Browser origins allowed besides requests without an Origin; a function gets the port the server
   * listens on (for a page served by the server itself).
   */
  allowedOrigins: readonly string[] | ((port: number) => readonly string[]);
  /** Token clients must send as `Authorization: Bearer <token>` (default: a random one). */
  token?: string;
  /** Images upscaled at the same time (default 1: inference already uses every core). */
  concurrency?: number;
  /** Images that may wait for a slot; more are refused with 503 (default 256). */
  maxWaiting?: number;
  /** Largest request body in bytes; larger ones get 413 (default 32 MiB). */
  maxBodyBytes?: number;
  /** Largest result in pixels; images that would exceed it get 422 (default 4096 × 4096). */
  maxPixels?: number;
  /**
   * A folder of static files (a page) served to `GET` without the token; the API routes still need it.
   * Host and Origin are checked for these requests as for every other.
   */
  staticDir?: string;
  /** How the server's upscaler is made: model, device, threads, tiling, cache folder. */
  upscaler?: Omit<UpscalerOptions, 'maxOutputPixels' | 'logger'>;
  /** Receives request and job notes; silent by default. */
  logger?: Logger;
  /**
   * Lets clients choose the model (`POST /upscale?model=`, one upscaler per model), pull catalog models
   * (`POST /models/{id}/pull`) and ask for WebP and AVIF; `GET /models` then lists installed and pullable
   * models. Off by default (the bridge); `swinup studio` turns it on.
   */
  modelChoice?: boolean;
}

/** A running upscale server. */
export interface UpscaleServer {
  /** Base URL, e.g. `http://127.0.0.1:47110`. */
  readonly url: string;
  readonly port: number;
  /** The token clients must send. */
  readonly token: string;
  /** The model images are upscaled with, and where it runs. */
  readonly model: string;
  readonly device: string;
  /** Load of the job queue now. */
  readonly queue: QueueStats;
  /** Stops accepting requests, cancels queued and running jobs, and frees the model. */
  close(): Promise<void>;
}

const API_ROUTES = ['/health', '/models', '/upscale'];

/**
 * Starts an upscale server: loads the model, then serves `GET /health`, `GET /models`, `GET /jobs/{id}`,
 * `GET /jobs/{id}/events` (the job's progress as server-sent events) and `POST /upscale` on 127.0.0.1 only,
 * and `staticDir`'s files when given. Every API request but a CORS preflight (which browsers send without
 * credentials, and which does nothing) needs the token.
 */
export async function startUpscaleServer(options: UpscaleServerOptions): Promise<UpscaleServer> {
  const token = options.token ?? createPairingToken();
  if (token.length < MIN_TOKEN_LENGTH)
    throw new RangeError(`the pairing token must have at least ${MIN_TOKEN_LENGTH} characters`);
  const { noun, program, originRule } = options.wording;
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const queue = new JobQueue(options.concurrency ?? 1, options.maxWaiting ?? DEFAULT_MAX_WAITING, noun);
  // Loaded here, not at import, so importing the server module does not load ONNX Runtime.
  const { model: defaultModel, resultCacheDir, ...upscalerOptions } = options.upscaler ?? {};
  const pool = new UpscalerPool({
    upscaler: { ...upscalerOptions, maxOutputPixels: maxPixels },
    resultCacheDir,
    logger,
  });
  const upscaler = await pool.upscaler(defaultModel).catch(async (error: unknown) => {
    await pool.close();
    throw error;
  });
  const choice = options.modelChoice === true ? new ModelChoice(options.upscaler) : undefined;
  const jobs = new Map<string, TrackedJob>();
  let port = 0;
  let allowedOrigins: readonly string[] = [];
  let closing = false;

  const health = (): HealthResponse => ({
    ok: true,
    version: options.version,
    model: upscaler.model,
    scale: upscaler.scale,
    device: upscaler.device ?? 'cpu',
    queue: queue.stats,
  });

  const models = (): ModelsResponse =>
    choice?.listing(upscaler.model, upscaler.scale) ?? {
      active: upscaler.model,
      models: loadCatalog()
        .models.filter((entry) => entry.scale > 1)
        .map(({ id, title, task, scale }) => ({ id, title, task, scale })),
    };

  async function upscale(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const {
      options: upscaleOptions,
      jobId,
      model,
    } = upscaleRequestOf(query, {
      modelChoice: choice !== undefined,
    });
    if (model !== undefined && model !== upscaler.model) choice?.requireInstalled(model);
    if (jobs.has(jobId)) throw new HttpError(409, 'JOB_EXISTS', `job ${jobId} is already in progress`);
    const job = new TrackedJob();
    const { controller } = job;
    // 'close' before the answer is written means the client went away: its job is cancelled.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    jobs.set(jobId, job);
    let end: JobEnd = { kind: 'cancelled' };
    try {
      const body = await readBody(req, maxBodyBytes, noun);
      const chosen = model === undefined || model === upscaler.model ? upscaler : await pool.upscaler(model);
      checkResultSize(body, upscaleOptions, { maxPixels, defaultScale: chosen.scale, noun });
      const started = Date.now();
      const result = await queue.run(() => {
        job.update({ state: 'running' });
        return chosen.upscale(body, {
          ...upscaleOptions,
          format: upscaleOptions.format ?? (isJpeg(body) ? 'jpeg' : 'png'),
          signal: controller.signal,
          onProgress: (p) => job.update(p),
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
      end = {
        kind: 'done',
        width: result.info.width,
        height: result.info.height,
        format: result.info.format,
      };
    } catch (error) {
      const failure = httpErrorOf(error, closing, noun);
      if (failure !== undefined && !controller.signal.aborted)
        end = { kind: 'error', error: { code: failure.code, message: failure.message } };
      throw error;
    } finally {
      jobs.delete(jobId);
      job.end(end);
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
    const pullId = choice === undefined ? undefined : pullPathId(url.pathname);
    if (choice !== undefined && pullId !== undefined) {
      if (method === 'POST') return sendJson(res, 202, choice.startPull(pullId));
      allow('GET');
      return sendJson(res, 200, choice.progress(pullId));
    }
    if (url.pathname.startsWith('/jobs/')) {
      allow('GET');
      // Job ids are letters, digits, _ and -, so the path needs no decoding.
      const rest = url.pathname.slice('/jobs/'.length);
      const events = rest.endsWith('/events');
      const job = jobs.get(events ? rest.slice(0, -'/events'.length) : rest);
      if (job === undefined) throw new HttpError(404, 'JOB_NOT_FOUND', 'no such job is queued or running');
      if (events) return streamJobEvents(job, res);
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

  /** A page file for a GET outside the API, answered without the token; false when there is none. */
  async function page(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (options.staticDir === undefined) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (
      API_ROUTES.includes(url.pathname) ||
      url.pathname.startsWith('/jobs/') ||
      pullPathId(url.pathname) !== undefined
    )
      return false;
    return serveStatic(options.staticDir, url.pathname, req.method, res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () =>
      logger.debug(`${req.method} ${url.pathname} → ${res.statusCode} in ${Date.now() - started} ms`),
    );
    try {
      if (closing) throw new HttpError(503, 'SHUTTING_DOWN', `${noun} is shutting down`);
      const refusal = refusalOf(req, port, allowedOrigins, originRule);
      if (refusal !== undefined) throw new HttpError(403, refusal.code, refusal.message);
      for (const [name, value] of Object.entries(corsHeaders(req))) res.setHeader(name, value);
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      if (await page(req, res, url)) return;
      if (!tokenMatches(token, bearerToken(req.headers.authorization))) {
        throw new HttpError(
          401,
          'UNAUTHORIZED',
          `missing or wrong pairing token: send the token ${program} printed as "Authorization: Bearer <token>"`,
          { 'WWW-Authenticate': `Bearer realm="${program}"` },
        );
      }
      await route(req, res, url);
    } catch (error) {
      const failure = httpErrorOf(error, closing, noun);
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
    server.listen({ port: options.port, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    choice?.close();
    await pool.close();
    throw error;
  });
  port = (server.address() as AddressInfo).port;
  allowedOrigins =
    typeof options.allowedOrigins === 'function' ? options.allowedOrigins(port) : options.allowedOrigins;

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
        choice?.close();
        await pool.close();
      })();
      return closed;
    },
  };
}

/** The page's own origins on `port`: what a browser sends when the page was loaded from the server. */
export function sameOrigins(port: number): readonly string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: HealthResponse | ModelsResponse | JobProgress | PullProgress | ErrorResponse,
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
