/**
 * Types shared by the plugin's main code, its UI and the bridge. Types only: the main code runs in
 * Figma's sandbox and the UI in a browser, so nothing here may pull in runtime code.
 * @packageDocumentation
 */

/** Enlargements the plugin's menu commands offer. */
export type PluginScale = 2 | 4;

/** One image the UI is asked to upscale through the bridge. */
export interface UpscaleJob {
  /** Unique per run; the reply carries it back. */
  readonly jobId: string;
  /** The first layer using the image, for the progress line. */
  readonly layerName: string;
  /** Encoded image bytes as Figma stores them (PNG, JPEG or GIF). */
  readonly bytes: Uint8Array;
  readonly scale: PluginScale;
  /** 1-based position in this run, and the run's size. */
  readonly index: number;
  readonly total: number;
}

/** What a run did, shown by the UI when it ends. */
export interface RunSummary {
  /** Images upscaled and put back into fills. */
  readonly upscaled: number;
  /** Layers whose fills now use an upscaled image. */
  readonly layers: number;
  /** True when the user cancelled before every image was done. */
  readonly cancelled: boolean;
  /** Things the user should know: a smaller scale used, layers skipped, images that failed. */
  readonly notes: readonly string[];
}

/** Messages from the main code to the UI. */
export type MainToUi =
  /** Answers `ui-ready`: where the bridge is and the token kept in client storage. */
  | {
      readonly type: 'start';
      readonly bridgeUrl: string;
      readonly token: string | undefined;
      readonly images: number;
    }
  | ({ readonly type: 'upscale' } & UpscaleJob)
  | { readonly type: 'finished'; readonly summary: RunSummary };

/** Messages from the UI to the main code. */
export type UiToMain =
  /** The UI has loaded and listens; the main code answers with `start`. */
  | { readonly type: 'ui-ready' }
  /** The user pasted a pairing token; the main code keeps it in client storage. */
  | { readonly type: 'save-token'; readonly token: string }
  /** The bridge answered with the token: the main code starts sending images. */
  | { readonly type: 'paired' }
  | {
      readonly type: 'upscaled';
      readonly jobId: string;
      readonly bytes: Uint8Array;
    }
  /** `fatal` stops the run (bridge gone, token rejected); other failures skip one image. */
  | {
      readonly type: 'upscale-failed';
      readonly jobId: string;
      readonly message: string;
      readonly fatal: boolean;
    }
  | { readonly type: 'cancel' }
  | { readonly type: 'close' };

/**
 * The bridge's HTTP answers (`GET /health`, `GET /models`, `GET /jobs/{id}`, errors): the shared server's own
 * types, so the plugin reads exactly what the server writes.
 */
export type {
  ErrorResponse,
  HealthResponse,
  JobProgress,
  ModelsResponse,
  QueueStats,
} from '@swinup/core/server';

/** One handler per message type: a `switch` that cannot miss a case. */
export type MessageHandlers<M extends { readonly type: string }> = {
  readonly [K in M['type']]: (message: Extract<M, { readonly type: K }>) => void | Promise<void>;
};
