import { SwinupError } from '../errors.js';
import type { QueueStats } from './server-types.js';

/** Thrown when a job arrives while the queue already holds as many waiting jobs as it may. */
export class QueueFullError extends Error {
  constructor(limit: number, noun = 'the server') {
    super(`${noun} already has ${limit} images waiting; try again when some are done`);
    this.name = 'QueueFullError';
  }
}

/**
 * Runs at most `concurrency` jobs at once; the rest wait in arrival order. A job whose signal fires
 * while it waits leaves the queue at once; a running job sees the same signal and stops itself, and its
 * slot is freed as soon as it settles.
 */
export class JobQueue {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  /**
   * @param concurrency - jobs that run at the same time (at least 1).
   * @param maxWaiting - jobs that may wait for a slot; one more is refused with {@link QueueFullError}.
   * @param noun - how {@link QueueFullError}'s message names the server, e.g. `the bridge`.
   */
  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
    readonly noun = 'the server',
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be an integer ≥ 1, got ${concurrency}`);
    if (!Number.isInteger(maxWaiting) || maxWaiting < 0)
      throw new RangeError(`maxWaiting must be an integer ≥ 0, got ${maxWaiting}`);
  }

  /** Jobs running and waiting now. */
  get stats(): QueueStats {
    return { running: this.#running, waiting: this.#waiting.length, concurrency: this.concurrency };
  }

  /** Runs `task` once a slot is free; rejects with an `ABORTED` {@link SwinupError} if `signal` fires first. */
  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  #acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortedWhileWaiting());
    if (this.#running < this.concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.maxWaiting)
      return Promise.reject(new QueueFullError(this.maxWaiting, this.noun));
    return new Promise((resolve, reject) => {
      const start = () => {
        signal.removeEventListener('abort', leave);
        this.#running++;
        resolve();
      };
      const leave = () => {
        this.#waiting.splice(this.#waiting.indexOf(start), 1);
        reject(abortedWhileWaiting());
      };
      signal.addEventListener('abort', leave, { once: true });
      this.#waiting.push(start);
    });
  }
}

function abortedWhileWaiting(): SwinupError {
  return new SwinupError('ABORTED', 'the request was cancelled before its image was upscaled');
}
