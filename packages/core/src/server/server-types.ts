/** Load of an upscale server's job queue. */
export interface QueueStats {
  readonly running: number;
  readonly waiting: number;
  readonly concurrency: number;
}

/** `GET /health` answer. */
export interface HealthResponse {
  readonly ok: true;
  readonly version: string;
  /** Default model and its native scale. */
  readonly model: string;
  readonly scale: number;
  readonly device: string;
  readonly queue: QueueStats;
}

/** `GET /models` answer: the catalog's super-resolution models. */
export interface ModelsResponse {
  /** The model the server upscales with. */
  readonly active: string;
  readonly models: readonly {
    readonly id: string;
    readonly title: string;
    readonly task: string;
    readonly scale: number;
  }[];
}

/** An installed model in {@link ModelChoiceResponse}. */
export interface InstalledModel {
  readonly id: string;
  readonly scale: number;
  readonly title: string;
  /** Set5 Y-PSNR in dB, published or measured; null when unknown. */
  readonly set5YPsnr: number | null;
}

/** A catalog model that is not installed, in {@link ModelChoiceResponse}. */
export interface PullableModel extends InstalledModel {
  /** Download size in bytes, null when the catalog does not say. */
  readonly size: number | null;
  /** The pull started by `POST /models/{id}/pull`, if any. */
  readonly pull: PullProgress | null;
}

/** `GET /models` answer of a server with model choice (`swinup studio`). */
export interface ModelChoiceResponse extends ModelsResponse {
  /** Native scale of the default model. */
  readonly scale: number;
  /** Offline mode: nothing can be pulled. */
  readonly offline: boolean;
  /** Installed `sr` models, any of which `POST /upscale?model=` takes. */
  readonly installed: readonly InstalledModel[];
  /** Catalog models that `POST /models/{id}/pull` can download. */
  readonly available: readonly PullableModel[];
}

/** `POST`/`GET /models/{id}/pull` answer: a model download's progress. */
export interface PullProgress {
  readonly state: 'running' | 'done' | 'failed';
  readonly done: number;
  readonly total: number | null;
  /** Why a failed pull failed. */
  readonly error: string | null;
}

/** `GET /jobs/{id}` answer: a job's progress while it is queued or running. */
export interface JobProgress {
  readonly state: 'queued' | 'running';
  readonly tilesDone: number;
  readonly tilesTotal: number;
}

/**
 * The last event of `GET /jobs/{id}/events`: `done` with the result's size, `error` with the answer's code
 * and message, or `cancelled`. Progress events carry a {@link JobProgress}.
 */
export type JobEnd =
  | { readonly kind: 'done'; readonly width: number; readonly height: number; readonly format: string }
  | { readonly kind: 'error'; readonly error: { readonly code: string; readonly message: string } }
  | { readonly kind: 'cancelled' };

/** Body of every error answer. */
export interface ErrorResponse {
  readonly error: {
    /** A swinup error code (e.g. `IMAGE_TOO_LARGE`) or a server one (e.g. `UNAUTHORIZED`). */
    readonly code: string;
    readonly message: string;
  };
}
