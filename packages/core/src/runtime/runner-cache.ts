import type { InferenceRunner } from './onnx-session.js';

/** A runner handed out by {@link RunnerCache}; `done` returns it (idempotent). */
export interface RunnerLease {
  readonly runner: InferenceRunner;
  readonly done: () => void;
}

interface Entry {
  readonly pending: Promise<InferenceRunner>;
  holders: number;
}

/**
 * Runners by key (model and tile shape), created once and shared. Every tile shape holds sessions and their
 * memory arenas in each worker, and a build over images of many sizes meets many shapes, so beyond
 * `capacity` the least recently used runners that nobody holds are released.
 */
export class RunnerCache {
  /** Insertion order is recency: a lease moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  /** The runner of `key`, made by `create` when there is none; hold it until `done`. */
  async lease(key: string, create: () => Promise<InferenceRunner>): Promise<RunnerLease> {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const created: Entry = { pending: create(), holders: 0 };
      created.pending.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
      entry = created;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    const held = entry;
    held.holders++;
    this.evict();
    let runner: InferenceRunner;
    try {
      runner = await held.pending;
    } catch (error) {
      held.holders--;
      throw error;
    }
    let returned = false;
    return {
      runner,
      done: () => {
        if (returned) return;
        returned = true;
        held.holders--;
        this.evict();
      },
    };
  }

  /** Number of runners kept. */
  get size(): number {
    return this.entries.size;
  }

  /** Releases every runner. */
  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (entry) => (await entry.pending.catch(() => undefined))?.release()));
  }

  private evict(): void {
    let excess = this.entries.size - this.capacity;
    for (const [key, entry] of this.entries) {
      if (excess <= 0) return;
      if (entry.holders > 0) continue;
      this.entries.delete(key);
      excess--;
      entry.pending.then(
        (runner) => runner.release(),
        () => undefined,
      );
    }
  }
}
