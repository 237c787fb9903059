import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { MainToUi, UiToMain } from '../../src/messages.js';
import type { OpenUi } from './fake-figma.js';
import { decodeWire, encodeWire } from './wire.js';

const CHROMIUM = '/usr/bin/chromium';

/** Size Figma gives the plugin window (the main code asks for it in `showUI`). */
export const UI_SIZE = { width: 320, height: 300 };

/**
 * The page that stands in for Figma's editor: it holds the plugin UI in a sandboxed iframe (opaque
 * origin, like Figma's) and relays `pluginMessage`s between the iframe and the main code in Node.
 */
const HARNESS = `<!doctype html>
<html>
  <head>
    <style>
      body { margin: 0; background: #e6e6e6; }
      iframe { position: absolute; left: 16px; top: 16px; width: ${UI_SIZE.width}px; height: ${UI_SIZE.height}px;
        border: 0; border-radius: 6px; background: #fff; box-shadow: 0 2px 14px rgba(0, 0, 0, 0.18); }
    </style>
  </head>
  <body>
    <iframe id="plugin" sandbox="allow-scripts"></iframe>
    <script>
      ${encodeWire}
      ${decodeWire}
      const frame = document.getElementById('plugin');
      window.addEventListener('message', (event) => {
        if (event.source !== frame.contentWindow) return;
        const message = event.data && event.data.pluginMessage;
        if (message !== undefined) window.toMain(encodeWire(message));
      });
      window.toUi = (wire) => frame.contentWindow.postMessage({ pluginMessage: decodeWire(wire) }, '*');
      window.openPlugin = (html) => { frame.srcdoc = html; };
    </script>
  </body>
</html>`;

/** What the harness page adds to its window. */
interface HarnessWindow {
  toMain(wire: unknown): void;
  toUi(wire: unknown): void;
  openPlugin(html: string): void;
}

/** Headless Debian Chromium plus a loopback server for the harness page. */
export interface ChromiumHarness {
  readonly browser: Browser;
  /** A fresh page; pass {@link ChromiumHarness.openUi} of it to the fake Figma. */
  newPage(): Promise<Page>;
  /** Opens the plugin UI in `page`'s harness, as `figma.showUI` does. */
  openUi(page: Page): OpenUi;
  close(): Promise<void>;
}

/** Launches Debian's Chromium; fails (rather than skips) when it is not installed. */
export async function startChromiumHarness(): Promise<ChromiumHarness> {
  if (!existsSync(CHROMIUM)) throw new Error('Debian chromium is missing: apt-get install -y chromium');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Served from loopback, as a page of its own rather than about:blank.
  const server: Server = createServer((_req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(HARNESS),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const harnessUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    browser,
    newPage: () => browser.newPage({ viewport: { width: UI_SIZE.width + 32, height: UI_SIZE.height + 32 } }),
    openUi: (page) => (html, port) => {
      const loaded = (async () => {
        await page.exposeFunction('toMain', (wire: unknown) => port.toMain(decodeWire(wire) as UiToMain));
        await page.goto(harnessUrl);
        await page.evaluate((source) => (globalThis as unknown as HarnessWindow).openPlugin(source), html);
      })();
      return (message: MainToUi) =>
        void loaded.then(() =>
          page.evaluate((wire) => (globalThis as unknown as HarnessWindow).toUi(wire), encodeWire(message)),
        );
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
