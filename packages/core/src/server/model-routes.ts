/**
 * The studio's model choice: which `sr` models are installed (with their Set5 Y-PSNR), which catalog models
 * could be pulled, a model named by `POST /upscale?model=` checked, and `POST /models/{id}/pull` downloads.
 */
import { offlineRefusal } from '../models/install-on-demand.js';
import { listModels } from '../models/list-models.js';
import { type Catalog, loadCatalog, requireEntry } from '../models/model-catalog.js';
import { rankingQuality } from '../models/model-ranking.js';
import { type ModelStoreOptions, modelStoreOf } from '../models/model-store-options.js';
import { pullModel } from '../models/pull-model.js';
import { resolveUpscalerOptions, type UpscalerOptions } from '../options.js';
import { HttpError } from './http-error.js';
import type { InstalledModel, ModelChoiceResponse, PullableModel, PullProgress } from './server-types.js';

const MODEL_TASK = 'sr';

/** Installed models, pullable ones and pull jobs of one server. */
export class ModelChoice {
  readonly offline: boolean;
  private readonly store: ModelStoreOptions & { readonly catalog: Catalog };
  private readonly pulls = new Map<string, PullProgress>();
  private readonly controller = new AbortController();

  constructor(upscaler: Omit<UpscalerOptions, 'maxOutputPixels' | 'logger'> = {}) {
    const resolved = resolveUpscalerOptions(upscaler);
    this.offline = resolved.offline;
    this.store = {
      catalog: loadCatalog({ modelsDir: resolved.modelsDir, catalog: resolved.catalog }),
      ...(resolved.cacheDir === undefined ? {} : { cacheDir: resolved.cacheDir }),
    };
  }

  /** `GET /models` of a server with model choice. */
  listing(active: string, defaultScale: number): ModelChoiceResponse {
    const rows = listModels(this.store).filter(
      (row) => (row.task === MODEL_TASK || row.task === 'real-sr') && row.scale > 1,
    );
    const quality = (id: string) => {
      const entry = this.store.catalog.models.find((m) => m.id === id);
      return entry === undefined ? null : (rankingQuality(entry) ?? null);
    };
    const installed: InstalledModel[] = rows
      .filter((row) => row.installed)
      .map(({ id, scale, title }) => ({ id, scale, title, set5YPsnr: quality(id) }));
    const available: PullableModel[] = rows
      .filter((row) => !row.installed && row.origin === 'download')
      .map(({ id, scale, title, size }) => ({
        id,
        scale,
        title,
        size,
        set5YPsnr: quality(id),
        pull: this.pulls.get(id) ?? null,
      }));
    return {
      active,
      scale: defaultScale,
      offline: this.offline,
      models: rows.map(({ id, title, task, scale }) => ({ id, title, task, scale })),
      installed,
      available,
    };
  }

  /** Checks a model named by a request: it must be an installed model (never downloaded by an upscale). */
  requireInstalled(id: string): void {
    const row = listModels(this.store).find((m) => m.id === id);
    if (row === undefined) entryOf(this.store.catalog, id);
    if (row?.installed === true) return;
    throw new HttpError(
      404,
      'MODEL_NOT_FOUND',
      `model "${id}" is not installed; pull it first (POST /models/${id}/pull or \`swinup models pull ${id}\`)`,
    );
  }

  /** Starts pulling a catalog model; its progress is read with {@link progress}. */
  startPull(id: string): PullProgress {
    const store = modelStoreOf(this.store);
    const entry = entryOf(store.catalog, id);
    if (this.offline) {
      const refusal = offlineRefusal(entry, store.catalog, store.cacheDir);
      throw new HttpError(409, 'OFFLINE', refusal.message);
    }
    const running = this.pulls.get(id);
    if (running?.state === 'running') return running;
    const progress: { -readonly [K in keyof PullProgress]: PullProgress[K] } = {
      state: 'running',
      done: 0,
      total: entry.size,
      error: null,
    };
    this.pulls.set(id, progress);
    pullModel(id, {
      ...this.store,
      signal: this.controller.signal,
      onProgress: ({ done, total }) => {
        progress.done = done;
        if (total !== undefined) progress.total = total;
      },
    }).then(
      () => {
        progress.state = 'done';
        if (progress.total !== null) progress.done = progress.total;
      },
      (error: unknown) => {
        progress.state = 'failed';
        progress.error = error instanceof Error ? error.message : String(error);
      },
    );
    return progress;
  }

  /** A pull's progress; 404 when none was started. */
  progress(id: string): PullProgress {
    const progress = this.pulls.get(id);
    if (progress === undefined) {
      entryOf(this.store.catalog, id);
      throw new HttpError(404, 'PULL_NOT_FOUND', `no pull of model "${id}" was started`);
    }
    return progress;
  }

  /** Cancels running pulls. */
  close(): void {
    this.controller.abort();
  }
}

/** The model id of a `/models/{id}/pull` path, or undefined when the path is another one. */
export function pullPathId(pathname: string): string | undefined {
  const match = /^\/models\/([\w.-]{1,128})\/pull$/.exec(pathname);
  return match?.[1];
}

/** A catalog entry by id; an unknown id is 404 with core's message (naming similar ids). */
function entryOf(catalog: Catalog, id: string) {
  try {
    return requireEntry(catalog, id);
  } catch (error) {
    throw new HttpError(404, 'MODEL_NOT_FOUND', (error as Error).message);
  }
}
