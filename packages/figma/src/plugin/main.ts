import type { MainToUi, MessageHandlers, PluginScale, RunSummary, UiToMain } from '../messages.js';
import { type FillableNode, fillsOf, fitScale, imageHashesOf, withUpscaledImage } from './image-fills.js';

/** Where the plugin finds the bridge; the manifest's `networkAccess` allows exactly this origin. */
export const DEFAULT_BRIDGE_URL = 'http://localhost:47110';
/** `figma.clientStorage` key of the pairing token. */
export const TOKEN_KEY = 'swinup.token';
/** `figma.clientStorage` key of another bridge URL (development: the manifest must allow it too). */
export const BRIDGE_URL_KEY = 'swinup.bridgeUrl';

/** The menu commands of the manifest, by the scale they ask for. */
const COMMAND_SCALES: Readonly<Record<string, PluginScale>> = { 'upscale-2': 2, 'upscale-4': 4 };

/** One distinct image of the selection and the layers whose fills show it. */
interface PlannedImage {
  readonly hash: string;
  readonly layers: readonly FillableNode[];
  readonly scale: PluginScale;
}

type Reply =
  | { readonly kind: 'done'; readonly bytes: Uint8Array }
  | { readonly kind: 'failed'; readonly message: string; readonly fatal: boolean }
  | { readonly kind: 'cancelled' };

/**
 * The plugin's main code: plans the run from the selection, opens the UI, then sends the UI one image
 * at a time and puts each upscaled image back into the fills that showed the original.
 */
export async function runPlugin(figma: PluginAPI, html: string): Promise<void> {
  const requested = COMMAND_SCALES[figma.command] ?? 4;
  const plan = await planRun(figma, requested);
  if (plan.images.length === 0) {
    figma.closePlugin(
      figma.currentPage.selection.length === 0
        ? 'Select a layer with an image fill, then run swinup again.'
        : `Nothing to upscale. ${plan.notes.join(' ')}`,
    );
    return;
  }
  if (plan.untouched > 0) figma.notify(untouchedNotice(plan.untouched));
  const run = new UpscaleRun(figma, plan.images, plan.notes, requested);
  figma.showUI(html, { width: 320, height: 300, title: `swinup ×${requested}`, themeColors: true });
  figma.ui.onmessage = (message: UiToMain) => run.receive(message);
}

async function planRun(figma: PluginAPI, requested: PluginScale) {
  const layersByHash = new Map<string, FillableNode[]>();
  let untouched = 0;
  for (const node of figma.currentPage.selection) {
    const hashes = imageHashesOf(node);
    if (!('fills' in node) || hashes.length === 0) {
      untouched++;
      continue;
    }
    for (const hash of hashes) layersByHash.set(hash, [...(layersByHash.get(hash) ?? []), node]);
  }
  const images: PlannedImage[] = [];
  const notes: string[] = [];
  for (const [hash, layers] of layersByHash) {
    const name = (layers[0] as FillableNode).name;
    const size = await figma.getImageByHash(hash)?.getSizeAsync();
    if (size === undefined) {
      notes.push(`“${name}” was skipped: Figma could not find its image.`);
      continue;
    }
    const { width, height } = size;
    const scale = fitScale(width, height, requested);
    if (scale === undefined) {
      notes.push(
        `“${name}” was left as is: at ${width}×${height}, even ×2 would pass Figma's 4096 px limit.`,
      );
      continue;
    }
    if (scale < requested) {
      notes.push(
        `“${name}” was upscaled ×${scale}: ×${requested} would make it ${width * requested}×${height * requested}, ` +
          "past Figma's 4096 px limit.",
      );
    }
    images.push({ hash, layers, scale });
  }
  if (untouched > 0) notes.push(untouchedNotice(untouched));
  return { images, notes, untouched };
}

function untouchedNotice(count: number): string {
  return count === 1
    ? '1 selected layer has no image fill and was left untouched.'
    : `${count} selected layers have no image fill and were left untouched.`;
}

/**
 * One run of the plugin. Images go to the UI one at a time; a fatal failure (bridge gone, token
 * rejected) pauses the run until the UI reconnects and sends `paired` again, when it resumes with the
 * same image.
 */
class UpscaleRun {
  readonly #runId = Date.now().toString(36);
  #next = 0;
  #busy = false;
  #cancelled = false;
  #finished = false;
  #pending: { readonly jobId: string; readonly resolve: (reply: Reply) => void } | undefined;
  #upscaled = 0;
  /** Images done at a smaller scale than asked, to stay within Figma's limit. */
  #reduced = 0;
  readonly #layersDone = new Set<string>();

  constructor(
    private readonly figma: PluginAPI,
    private readonly images: readonly PlannedImage[],
    private readonly notes: string[],
    private readonly requested: PluginScale,
  ) {}

  readonly #handlers: MessageHandlers<UiToMain> = {
    'ui-ready': async () => {
      const storage = this.figma.clientStorage;
      this.#post({
        type: 'start',
        bridgeUrl: stringOrUndefined(await storage.getAsync(BRIDGE_URL_KEY)) ?? DEFAULT_BRIDGE_URL,
        token: stringOrUndefined(await storage.getAsync(TOKEN_KEY)),
        images: this.images.length,
      });
    },
    'save-token': ({ token }) => this.figma.clientStorage.setAsync(TOKEN_KEY, token),
    paired: () => this.#process(),
    upscaled: ({ jobId, bytes }) => this.#settle(jobId, { kind: 'done', bytes }),
    'upscale-failed': ({ jobId, message, fatal }) => this.#settle(jobId, { kind: 'failed', message, fatal }),
    cancel: () => {
      this.#cancelled = true;
      if (this.#pending !== undefined) this.#settle(this.#pending.jobId, { kind: 'cancelled' });
      // A paused run has no loop left to notice the cancel.
      else if (!this.#busy) this.#finish();
    },
    close: () => this.figma.closePlugin(),
  };

  /** Handles one message from the UI. */
  receive(message: UiToMain): Promise<void> {
    const handler = this.#handlers[message.type] as (message: UiToMain) => void | Promise<void>;
    return Promise.resolve(handler(message)).catch((error: unknown) => {
      this.figma.notify(`swinup: ${error instanceof Error ? error.message : String(error)}`, { error: true });
    });
  }

  #post(message: MainToUi): void {
    this.figma.ui.postMessage(message);
  }

  #settle(jobId: string, reply: Reply): void {
    const pending = this.#pending;
    // Replies to a job already settled (e.g. the abort after a cancel) are late and ignored.
    if (pending?.jobId !== jobId) return;
    this.#pending = undefined;
    pending.resolve(reply);
  }

  async #process(): Promise<void> {
    if (this.#busy || this.#finished) return;
    this.#busy = true;
    try {
      while (!this.#cancelled) {
        const image = this.images[this.#next];
        if (image === undefined) break;
        const reply = await this.#upscale(image);
        if (reply.kind === 'cancelled') break;
        if (reply.kind === 'failed' && reply.fatal) return;
        if (reply.kind === 'done') this.#apply(image, reply.bytes);
        else this.notes.push(`“${nameOf(image)}” was not upscaled: ${reply.message}`);
        this.#next++;
      }
      this.#finish();
    } finally {
      this.#busy = false;
    }
  }

  async #upscale(image: PlannedImage): Promise<Reply> {
    const source = this.figma.getImageByHash(image.hash);
    if (source === null) return { kind: 'failed', message: 'Figma no longer has its image.', fatal: false };
    const bytes = await source.getBytesAsync();
    const jobId = `${this.#runId}-${this.#next + 1}`;
    return new Promise((resolve) => {
      this.#pending = { jobId, resolve };
      this.#post({
        type: 'upscale',
        jobId,
        layerName: nameOf(image),
        bytes,
        scale: image.scale,
        index: this.#next + 1,
        total: this.images.length,
      });
    });
  }

  #apply(image: PlannedImage, bytes: Uint8Array): void {
    let hash: string;
    try {
      hash = this.figma.createImage(bytes).hash;
    } catch (error) {
      this.notes.push(`“${nameOf(image)}” was not replaced: Figma refused the image (${String(error)}).`);
      return;
    }
    for (const layer of image.layers) {
      const fills = layer.removed ? undefined : fillsOf(layer);
      if (fills === undefined) continue;
      layer.fills = withUpscaledImage(fills, image.hash, hash, image.scale);
      this.#layersDone.add(layer.id);
    }
    this.#upscaled++;
    if (image.scale < this.requested) this.#reduced++;
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const summary: RunSummary = {
      upscaled: this.#upscaled,
      layers: this.#layersDone.size,
      cancelled: this.#cancelled && this.#next < this.images.length,
      notes: this.notes,
    };
    this.#post({ type: 'finished', summary });
    this.figma.notify(this.#headline(summary));
  }

  #headline(summary: RunSummary): string {
    const images = summary.upscaled === 1 ? '1 image' : `${summary.upscaled} images`;
    const fallback =
      this.#reduced > 0 ? ` (${this.#reduced} at ×2 to stay within Figma's 4096 px limit)` : '';
    return `swinup: upscaled ${images} ×${this.requested}${fallback}${summary.cancelled ? ', then cancelled' : ''}.`;
  }
}

function nameOf(image: PlannedImage): string {
  return (image.layers[0] as FillableNode).name;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
