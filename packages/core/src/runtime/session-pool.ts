import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SwinupError } from '../errors.js';
import { createRunner, type InferenceRunner, type SessionProfile } from './onnx-session.js';

/** What a session worker is started with. */
export interface WorkerSetup {
  /** Intra-op threads of every session the worker opens. */
  readonly threads: number;
}

/** A message to a session worker. */
export type WorkerRequest =
  | { readonly kind: 'load'; readonly model: number; readonly bytes: Uint8Array }
  | { readonly kind: 'unload'; readonly model: number }
  | { readonly kind: 'close' }
  | {
      readonly kind: 'run';
      readonly id: number;
      readonly model: number;
      readonly input: Float32Array;
      readonly shape: readonly number[];
    };

/** A message from a session worker. */
export type WorkerResponse =
  | { readonly kind: 'loaded'; readonly model: number; readonly error?: string }
  | { readonly kind: 'result'; readonly id: number; readonly output: Float32Array }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

/** Settings of the CPU worker pool. */
export interface SessionPoolSettings {
  /** Worker threads, each running one tile at a time. */
  readonly sessions: number;
  /** Intra-op threads of each worker's sessions. */
  readonly threadsPerSession: number;
}

/** The worker script; from sources (unit tests) it is the built copy that `npm install` made. */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'session-worker.js');
  const built = resolve(dirname(here), '../../dist/runtime/session-worker.js');
  if (!existsSync(built)) {
    throw new SwinupError('RUNTIME_FAILED', `${built} is missing; build @swinup/core first (npm run build)`);
  }
  const stale = newerSources(dirname(here), statSync(built).mtimeMs);
  if (stale.length > 0) {
    // Tests would otherwise run an old worker against new sources and pass or fail for the wrong reason.
    throw new SwinupError(
      'RUNTIME_FAILED',
      `${built} is older than ${stale.join(', ')}; rebuild @swinup/core (npm run build)`,
    );
  }
  return built;
}

/** Sources the worker is built from (the runtime folder and the modules it shares) newer than `time`. */
function newerSources(runtimeDir: string, time: number): string[] {
  const sources = [
    ...readdirSync(runtimeDir)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .map((name) => join(runtimeDir, name)),
    join(runtimeDir, '../errors.ts'),
    join(runtimeDir, '../logger.ts'),
  ];
  return sources
    .filter((file) => existsSync(file) && statSync(file).mtimeMs > time)
    .map((file) => basename(file));
}

interface Job {
  readonly id: number;
  readonly model: number;
  readonly input: Float32Array;
  readonly shape: readonly number[];
  readonly resolve: (output: Float32Array) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Worker threads shared by every CPU model of the process: each holds a session per loaded model and runs
 * one tile at a time from one FIFO queue, so any number of images, upscalers and tile shapes together keep
 * exactly `sessions` threads busy instead of oversubscribing the cores.
 */
class WorkerPool {
  private readonly workers: Worker[];
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  private readonly loading = new Map<
    number,
    { pending: number; resolve: () => void; reject: (e: Error) => void }
  >();
  private readonly models = new Set<number>();
  private nextModel = 0;
  private nextJob = 0;
  private broken: Error | undefined;

  constructor(readonly settings: SessionPoolSettings) {
    const script = workerScript();
    this.workers = Array.from({ length: settings.sessions }, () => {
      const setup: WorkerSetup = { threads: settings.threadsPerSession };
      const worker = new Worker(script, { workerData: setup });
      worker.unref();
      worker.on('message', (message: WorkerResponse) => this.receive(worker, message));
      worker.on('error', (error) => this.fail(error));
      this.idle.push(worker);
      return worker;
    });
  }

  /** Opens a session for `bytes` in every worker. */
  async load(bytes: Uint8Array): Promise<number> {
    if (this.broken !== undefined) throw this.broken;
    const model = this.nextModel++;
    this.models.add(model);
    // Loading workers are busy: the process must not exit (and end them inside ONNX Runtime) meanwhile.
    for (const worker of this.workers) worker.ref();
    try {
      await new Promise<void>((done, failed) => {
        this.loading.set(model, { pending: this.workers.length, resolve: done, reject: failed });
        for (const worker of this.workers) this.post(worker, { kind: 'load', model, bytes });
      });
    } catch (error) {
      this.unload(model);
      throw error;
    } finally {
      this.unrefIdle();
    }
    return model;
  }

  /** Queues one run; resolves with the output. */
  run(model: number, input: Float32Array, shape: readonly number[]): Promise<Float32Array> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise((done, failed) => {
      this.queue.push({ id: this.nextJob++, model, input, shape, resolve: done, reject: failed });
      this.dispatch();
    });
  }

  /** Closes a model's sessions; returns true when the pool holds no model any more. */
  unload(model: number): boolean {
    this.models.delete(model);
    for (const worker of this.workers) this.post(worker, { kind: 'unload', model });
    return this.models.size === 0;
  }

  /**
   * Ends the workers. Each closes its sessions and exits after the requests before it: ending a thread
   * from outside while it is inside ONNX Runtime would abort the whole process.
   */
  async close(): Promise<void> {
    this.broken ??= new SwinupError('ABORTED', 'the upscaler was closed');
    for (const job of this.queue.splice(0)) job.reject(this.broken);
    await Promise.all(
      this.workers.map((worker) => {
        const exited = new Promise((done) => worker.once('exit', done));
        // Keep the process alive until the worker is out of ONNX Runtime.
        worker.ref();
        this.post(worker, { kind: 'close' });
        return exited;
      }),
    );
  }

  private post(worker: Worker, request: WorkerRequest): void {
    worker.postMessage(request);
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const job = this.queue.shift() as Job;
      this.running.set(worker, job);
      worker.ref();
      this.post(worker, { kind: 'run', id: job.id, model: job.model, input: job.input, shape: job.shape });
    }
  }

  private receive(worker: Worker, message: WorkerResponse): void {
    if (message.kind === 'loaded') {
      const load = this.loading.get(message.model);
      if (load === undefined) return;
      if (message.error !== undefined) {
        this.loading.delete(message.model);
        load.reject(new SwinupError('RUNTIME_FAILED', `a CPU session could not start: ${message.error}`));
      } else if (--load.pending === 0) {
        this.loading.delete(message.model);
        load.resolve();
      }
      return;
    }
    const job = this.running.get(worker);
    this.running.delete(worker);
    this.idle.push(worker);
    this.unrefIdle();
    if (message.kind === 'result') job?.resolve(message.output);
    else job?.reject(new SwinupError('RUNTIME_FAILED', `inference failed: ${message.message}`));
    this.dispatch();
  }

  /** Idle workers must not keep the process alive (an unclosed upscaler would hang exit). */
  private unrefIdle(): void {
    if (this.loading.size > 0) return;
    for (const worker of this.idle) worker.unref();
  }

  private fail(error: Error): void {
    this.broken ??= new SwinupError('RUNTIME_FAILED', `a CPU worker thread failed: ${error.message}`);
    for (const job of [...this.running.values(), ...this.queue.splice(0)]) job.reject(this.broken);
    for (const load of this.loading.values()) load.reject(this.broken);
    this.loading.clear();
    this.running.clear();
  }
}

let shared: WorkerPool | undefined;

/** Worker threads the process's CPU pool has now (0 when no model is loaded): for diagnostics and tests. */
export function cpuPoolThreads(): number {
  return shared?.settings.sessions ?? 0;
}

/** The process's worker pool for these settings; a pool of other settings is replaced once it is empty. */
function poolFor(settings: SessionPoolSettings): WorkerPool {
  const current = shared;
  if (
    current !== undefined &&
    current.settings.sessions === settings.sessions &&
    current.settings.threadsPerSession === settings.threadsPerSession
  ) {
    return current;
  }
  shared = new WorkerPool(settings);
  return shared;
}

/**
 * Loads a model into the process's CPU worker pool: runs started without waiting proceed on up to
 * `sessions` threads at once, shared with every other model loaded the same way.
 */
export async function createSessionPool(
  model: Uint8Array,
  settings: SessionPoolSettings,
): Promise<InferenceRunner> {
  const pool = poolFor(settings);
  const id = await pool.load(model);
  let released = false;
  return {
    provider: 'cpu',
    parallelism: settings.sessions,
    run: (input, shape) => pool.run(id, input, shape),
    async release() {
      if (released) return;
      released = true;
      if (pool.unload(id)) {
        if (shared === pool) shared = undefined;
        await pool.close();
      }
    },
  };
}

/**
 * A CPU runner: the shared worker pool when several sessions are asked for, else one in-process session
 * (a worker thread buys nothing for a single session).
 */
export function createCpuRunner(
  model: Uint8Array,
  settings: SessionPoolSettings & { readonly profile?: SessionProfile },
): Promise<InferenceRunner> {
  if (settings.sessions > 1) return createSessionPool(model, settings);
  return createRunner(model, {
    device: 'cpu',
    threads: settings.threadsPerSession,
    ...(settings.profile === undefined ? {} : { profile: settings.profile }),
  });
}
