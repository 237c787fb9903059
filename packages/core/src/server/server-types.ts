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

/** `GET /jobs/{id}` answer: a job's progress while it is queued or running. */
export interface JobProgress {
  readonly state: 'queued' | 'running';
  readonly tilesDone: number;
  readonly tilesTotal: number;
}

/** Body of every error answer. */
export interface ErrorResponse {
  readonly error: {
    /** A swinup error code (e.g. `IMAGE_TOO_LARGE`) or a server one (e.g. `UNAUTHORIZED`). */
    readonly code: string;
    readonly message: string;
  };
}
