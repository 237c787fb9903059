import { createHash } from 'node:crypto';
import { vi } from 'vitest';
import type { MainToUi, UiToMain } from '../../src/messages.js';
import { pngSize } from './png.js';

/** A layer of the stand-in document: the fields the plugin reads and writes. */
export interface FakeLayer {
  readonly id: string;
  readonly name: string;
  readonly type: NodeType;
  fills?: readonly Paint[];
  removed: boolean;
}

/** The UI side of `figma.showUI`: how the UI talks back to the main code. */
export interface UiPort {
  /** What `parent.postMessage({ pluginMessage })` does in a real UI. */
  toMain(message: UiToMain): void;
}

/** Opens a UI for `html`; returns what delivers the main code's messages to it. */
export type OpenUi = (html: string, port: UiPort) => (message: MainToUi) => void;

/** Settings of a {@link FakeFigma}. */
export interface FakeFigmaOptions {
  /** `figma.command`: the menu command the user picked. */
  readonly command: string;
  /** `figma.clientStorage` contents at start. */
  readonly storage?: Readonly<Record<string, unknown>>;
  readonly openUi: OpenUi;
}

const FIGMA_MAX_IMAGE_SIDE = 4096;

/**
 * A stand-in for the `figma` global with what the plugin uses. It keeps Figma's rules that matter here:
 * images are addressed by the SHA-1 of their bytes, `createImage` refuses images over 4096 px a side,
 * and messages cross between main code and UI asynchronously, as copies.
 */
export class FakeFigma {
  /** `figma.currentPage.selection`; add layers before running the main code. */
  readonly selection: FakeLayer[] = [];
  /** Messages passed to `figma.notify`. */
  readonly notices: string[] = [];
  readonly storage: Map<string, unknown>;
  /** Resolves with the `closePlugin` message once the plugin closes. */
  readonly closed: Promise<string | undefined>;
  /** The options `showUI` got, once it was called. */
  uiOptions: ShowUIOptions | undefined;
  readonly #images = new Map<string, Uint8Array>();
  readonly api: PluginAPI;

  constructor(options: FakeFigmaOptions) {
    this.storage = new Map(Object.entries(options.storage ?? {}));
    let close: (message: string | undefined) => void = () => {};
    this.closed = new Promise((resolve) => {
      close = resolve;
    });
    let deliver: ((message: MainToUi) => void) | undefined;
    const ui: Pick<UIAPI, 'onmessage' | 'postMessage'> = {
      onmessage: undefined,
      postMessage: (message: MainToUi) => setImmediate(() => deliver?.(structuredClone(message))),
    };
    const storage = this.storage;
    const api = {
      command: options.command,
      currentPage: { selection: this.selection },
      getImageByHash: (hash: string) => (this.#images.has(hash) ? this.#image(hash) : null),
      createImage: (bytes: Uint8Array) => {
        const { width, height } = pngSize(bytes);
        if (Math.max(width, height) > FIGMA_MAX_IMAGE_SIDE)
          throw new Error(`Image is too large (${width}×${height})`);
        return this.#image(this.addImage(bytes));
      },
      showUI: (html: string, uiOptions?: ShowUIOptions) => {
        this.uiOptions = uiOptions;
        deliver = options.openUi(html, {
          toMain: (message) =>
            setImmediate(() => ui.onmessage?.(structuredClone(message), { origin: 'null' })),
        });
      },
      ui,
      clientStorage: {
        getAsync: async (key: string) => storage.get(key),
        setAsync: async (key: string, value: unknown) => void storage.set(key, value),
        deleteAsync: async (key: string) => void storage.delete(key),
        keysAsync: async () => [...storage.keys()],
      },
      notify: (message: string) => {
        this.notices.push(message);
        return { cancel: () => {} };
      },
      closePlugin: (message?: string) => close(message),
    };
    this.api = api as unknown as PluginAPI;
  }

  /** Stores image bytes as Figma does and returns their hash. */
  addImage(bytes: Uint8Array): string {
    const hash = createHash('sha1').update(bytes).digest('hex');
    this.#images.set(hash, new Uint8Array(bytes));
    return hash;
  }

  /** Size of a stored image. */
  imageSize(hash: string): { width: number; height: number } {
    return pngSize(this.#bytes(hash));
  }

  /** Bytes of a stored image. */
  imageBytes(hash: string): Uint8Array {
    return this.#bytes(hash);
  }

  #bytes(hash: string): Uint8Array {
    const bytes = this.#images.get(hash);
    if (bytes === undefined) throw new Error(`no image ${hash}`);
    return bytes;
  }

  #image(hash: string): Image {
    return {
      hash,
      getBytesAsync: async () => new Uint8Array(this.#bytes(hash)),
      getSizeAsync: async () => this.imageSize(hash),
    };
  }
}

/** Runs the plugin's main code as Figma does: `figma` and `__html__` as globals, then the entry file. */
export async function runMainCode(figma: FakeFigma, html: string): Promise<void> {
  Object.assign(globalThis, { figma: figma.api, __html__: html });
  vi.resetModules();
  await import('../../src/plugin/code.js');
}

/** A rectangle with the given fills. */
export function rectangle(id: string, name: string, fills: readonly Paint[]): FakeLayer {
  return { id, name, type: 'RECTANGLE', fills, removed: false };
}

/** An image paint with Figma's defaults, overridden by `extra`. */
export function imagePaint(imageHash: string, extra: Partial<ImagePaint> = {}): ImagePaint {
  return {
    type: 'IMAGE',
    scaleMode: 'FILL',
    imageHash,
    visible: true,
    opacity: 1,
    blendMode: 'NORMAL',
    filters: {},
    ...extra,
  };
}
