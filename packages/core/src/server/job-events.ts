import type { ServerResponse } from 'node:http';
import type { JobEnd, JobProgress } from './server-types.js';

/** Comment lines that keep an idle event stream (and proxies on the way) from timing out. */
const HEARTBEAT_MS = 15_000;

/** What a job's watchers hear: a progress change, or its end. */
export type JobEvent = { readonly kind: 'progress'; readonly progress: JobProgress } | JobEnd;

/** One queued or running job, as the server tracks it. */
export class TrackedJob {
  readonly controller = new AbortController();
  readonly #progress: { state: JobProgress['state']; tilesDone: number; tilesTotal: number } = {
    state: 'queued',
    tilesDone: 0,
    tilesTotal: 0,
  };
  readonly #watchers = new Set<(event: JobEvent) => void>();

  get progress(): JobProgress {
    return { ...this.#progress };
  }

  /** Whether anyone is watching now. */
  get watched(): boolean {
    return this.#watchers.size > 0;
  }

  /** Merges a progress change and tells the watchers when something changed. */
  update(change: Partial<JobProgress>): void {
    const before = JSON.stringify(this.#progress);
    Object.assign(this.#progress, change);
    if (JSON.stringify(this.#progress) === before) return;
    this.#emit({ kind: 'progress', progress: this.progress });
  }

  /** Tells the watchers how the job ended; they hear nothing after this. */
  end(event: JobEnd): void {
    this.#emit(event);
    this.#watchers.clear();
  }

  /** Calls `watcher` on every event until the returned function is called. */
  watch(watcher: (event: JobEvent) => void): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  #emit(event: JobEvent): void {
    for (const watcher of [...this.#watchers]) watcher(event);
  }
}

/**
 * Answers `GET /jobs/{id}/events` as `text/event-stream`: the progress now, an event per change, then one
 * `done`, `error` or `cancelled` event, and the stream ends. A client that goes away stops its watcher.
 */
export function streamJobEvents(job: TrackedJob, res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
  const send = (event: JobEvent) => {
    const { kind, ...data } = event;
    const body = event.kind === 'progress' ? event.progress : data;
    res.write(`event: ${kind}\ndata: ${JSON.stringify(body)}\n\n`);
  };
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const stop = () => {
    clearInterval(heartbeat);
    unwatch();
  };
  const unwatch = job.watch((event) => {
    send(event);
    if (event.kind === 'progress') return;
    stop();
    res.end();
  });
  res.on('close', stop);
  send({ kind: 'progress', progress: job.progress });
}
