import type {
  JobProgress,
  MainToUi,
  MessageHandlers,
  PluginScale,
  RunSummary,
  UiToMain,
  UpscaleJob,
} from '../messages.js';
import { BridgeAuthError, type BridgeClient, BridgeDownError, bridgeClient } from './bridge-client.js';

/** What the UI shows. */
export type UiState =
  | { readonly kind: 'connecting' }
  /** Asks for the token; `rejected` when the bridge refused the one it had. */
  | { readonly kind: 'pairing'; readonly rejected: boolean }
  | { readonly kind: 'bridge-down'; readonly bridgeUrl: string }
  | {
      readonly kind: 'working';
      /** 1-based image being upscaled, 0 before the first arrives. */
      readonly index: number;
      readonly total: number;
      readonly layerName: string;
      readonly scale: PluginScale | undefined;
      /** True while the job waits behind other jobs at the bridge. */
      readonly queued: boolean;
      readonly tilesDone: number;
      readonly tilesTotal: number;
    }
  | { readonly kind: 'cancelling' }
  | { readonly kind: 'done'; readonly summary: RunSummary }
  /** The bridge answered, but not as expected (e.g. it refused this origin). */
  | { readonly kind: 'error'; readonly message: string };

/** What the UI logic needs from its surroundings. */
export interface UiEnvironment {
  /** Sends a message to the main code. */
  post(message: UiToMain): void;
  /** Shows a state. */
  render(state: UiState): void;
  /** The browser's fetch (Node's in tests). */
  fetch: typeof fetch;
  /** How often a running job's progress is asked for, in ms (default 400). */
  progressIntervalMs?: number;
}

/**
 * The UI's logic without the DOM: talks to the main code through messages and to the bridge over HTTP,
 * and turns both into {@link UiState}s.
 */
export class UiController {
  #bridgeUrl = '';
  #token: string | undefined;
  #client: BridgeClient | undefined;
  #images = 0;
  #job: AbortController | undefined;
  #state: UiState = { kind: 'connecting' };

  constructor(private readonly env: UiEnvironment) {}

  readonly #handlers: MessageHandlers<MainToUi> = {
    start: ({ bridgeUrl, token, images }) => {
      this.#bridgeUrl = bridgeUrl;
      this.#images = images;
      return this.#connect(token);
    },
    upscale: (job) => this.#upscale(job),
    finished: ({ summary }) => this.#show({ kind: 'done', summary }),
  };

  /** Tells the main code the UI listens; call once the UI is set up. */
  ready(): void {
    this.env.post({ type: 'ui-ready' });
  }

  /** Handles one message from the main code. */
  receive(message: MainToUi): Promise<void> {
    const handler = this.#handlers[message.type] as (message: MainToUi) => void | Promise<void>;
    return Promise.resolve(handler(message));
  }

  /** The user pasted a token: keep it and try it. */
  pair(token: string): Promise<void> {
    const trimmed = token.trim();
    if (trimmed === '') return Promise.resolve();
    this.env.post({ type: 'save-token', token: trimmed });
    return this.#connect(trimmed);
  }

  /** Tries the bridge again, e.g. after the user started it. */
  retry(): Promise<void> {
    return this.#connect(this.#token);
  }

  /** Stops the run: the running job is aborted at the bridge, no further image is sent. */
  cancel(): void {
    this.#show({ kind: 'cancelling' });
    this.#job?.abort();
    this.env.post({ type: 'cancel' });
  }

  /** Closes the plugin. */
  close(): void {
    this.env.post({ type: 'close' });
  }

  #show(state: UiState): void {
    this.#state = state;
    this.env.render(state);
  }

  async #connect(token: string | undefined): Promise<void> {
    this.#token = token;
    if (token === undefined) return this.#show({ kind: 'pairing', rejected: false });
    this.#show({ kind: 'connecting' });
    const client = bridgeClient(this.#bridgeUrl, token, this.env.fetch);
    try {
      await client.health();
    } catch (error) {
      return this.#showConnectionFailure(error);
    }
    this.#client = client;
    this.#show({
      kind: 'working',
      index: 0,
      total: this.#images,
      layerName: '',
      scale: undefined,
      queued: true,
      tilesDone: 0,
      tilesTotal: 0,
    });
    this.env.post({ type: 'paired' });
  }

  /** Shows the screen for a bridge that cannot be used. */
  #showConnectionFailure(error: unknown): void {
    if (error instanceof BridgeDownError) this.#show({ kind: 'bridge-down', bridgeUrl: this.#bridgeUrl });
    else if (error instanceof BridgeAuthError) this.#show({ kind: 'pairing', rejected: true });
    else this.#show({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }

  async #upscale(job: UpscaleJob): Promise<void> {
    const { jobId, index, total, layerName, scale } = job;
    const client = this.#client;
    if (client === undefined) {
      this.env.post({
        type: 'upscale-failed',
        jobId,
        message: 'the UI is not paired with a bridge',
        fatal: true,
      });
      return;
    }
    const controller = new AbortController();
    this.#job = controller;
    const working = { kind: 'working', index, total, layerName, scale } as const;
    this.#show({ ...working, queued: true, tilesDone: 0, tilesTotal: 0 });
    const polling = this.#pollProgress(client, jobId, controller.signal, (progress) => {
      if (this.#state.kind === 'working')
        this.#show({ ...working, ...progress, queued: progress.state === 'queued' });
    });
    try {
      const bytes = await client.upscale(job.bytes, scale, jobId, controller.signal);
      this.env.post({ type: 'upscaled', jobId, bytes });
    } catch (error) {
      if (controller.signal.aborted) return;
      const fatal = error instanceof BridgeDownError || error instanceof BridgeAuthError;
      this.env.post({ type: 'upscale-failed', jobId, message: (error as Error).message, fatal });
      if (fatal) this.#showConnectionFailure(error);
    } finally {
      controller.abort();
      await polling;
    }
  }

  /** Asks for the job's progress until `signal` fires; a failed poll is skipped, the upscale reports. */
  async #pollProgress(
    client: BridgeClient,
    jobId: string,
    signal: AbortSignal,
    onProgress: (progress: JobProgress) => void,
  ): Promise<void> {
    const interval = this.env.progressIntervalMs ?? 400;
    while (!signal.aborted) {
      await delay(interval, signal);
      if (signal.aborted) return;
      const progress = await client.progress(jobId).catch(() => undefined);
      if (progress !== undefined && !signal.aborted) onProgress(progress);
    }
  }
}

/** Waits `ms`, or less when `signal` fires first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
