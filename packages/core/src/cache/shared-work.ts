import { SwinupError } from '../errors.js';
import type { Progress } from '../options.js';

/** What one caller of a shared job brings: its own abort signal and progress callback. */
export interface SharedCaller {
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: Progress) => void) | undefined;
}

interface Job<T> {
  readonly key: string;
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  readonly listeners: Set<(progress: Progress) => void>;
  callers: number;
}

function aborted(): SwinupError {
  return new SwinupError('ABORTED', 'upscale was aborted; nothing was written');
}

/**
 * Work shared by identical concurrent requests (same cache key). One caller's abort only detaches that
 * caller; the work itself stops when its last caller has aborted. Progress goes to every attached caller.
 */
export class SharedWork<T> {
  private readonly jobs = new Map<string, Job<T>>();

  /** Number of jobs in flight. */
  get size(): number {
    return this.jobs.size;
  }

  /** Joins the job for `key`, starting it with `work` when there is none. */
  run(
    key: string,
    caller: SharedCaller,
    work: (signal: AbortSignal, onProgress: (progress: Progress) => void) => Promise<T>,
  ): Promise<T> {
    if (caller.signal?.aborted) return Promise.reject(aborted());
    let job = this.jobs.get(key);
    if (job === undefined) {
      const controller = new AbortController();
      const listeners = new Set<(progress: Progress) => void>();
      const promise = work(controller.signal, (progress) => {
        for (const listener of listeners) listener(progress);
      });
      const started: Job<T> = { key, promise, controller, listeners, callers: 0 };
      this.jobs.set(key, started);
      promise.finally(() => this.forget(started)).catch(() => undefined);
      job = started;
    }
    return this.attach(job, caller);
  }

  private forget(job: Job<T>): void {
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
  }

  private attach(job: Job<T>, { signal, onProgress }: SharedCaller): Promise<T> {
    job.callers++;
    if (onProgress !== undefined) job.listeners.add(onProgress);
    if (signal === undefined) return job.promise;
    return new Promise<T>((resolve, reject) => {
      const detach = () => {
        signal.removeEventListener('abort', onAbort);
        if (onProgress !== undefined) job.listeners.delete(onProgress);
      };
      const onAbort = () => {
        detach();
        job.callers--;
        if (job.callers === 0) {
          // Nobody waits any more: stop the work, and let a later identical request start afresh.
          this.forget(job);
          job.controller.abort();
        }
        reject(aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (value) => {
          detach();
          resolve(value);
        },
        (error: unknown) => {
          detach();
          reject(error);
        },
      );
    });
  }
}
