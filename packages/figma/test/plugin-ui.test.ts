import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../src/bridge/index.js';
import { BRIDGE_URL_KEY, TOKEN_KEY } from '../src/plugin/main.js';
import { type ChromiumHarness, startChromiumHarness } from './support/chromium-ui.js';
import { FakeFigma, imagePaint, rectangle, runMainCode } from './support/fake-figma.js';
import { solidPng } from './support/png.js';
import { startTestBridge } from './support/test-bridge.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = `${PACKAGE}test-output/`;

/** A free loopback port with nothing listening: the bridge "not running". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('plugin UI in headless Chromium', () => {
  let bridge: Bridge;
  let harness: ChromiumHarness;
  let uiHtml: string;

  beforeAll(async () => {
    harness = await startChromiumHarness();
    // Test the UI as Figma gets it: the bundled single HTML file, rebuilt from the sources now.
    execFileSync(process.execPath, ['scripts/build-plugin.mjs'], { cwd: PACKAGE });
    uiHtml = readFileSync(`${PACKAGE}dist/plugin/ui.html`, 'utf8');
    // The bridge shares this process with Playwright's client and the CPU with Chromium: one inference
    // thread and small tiles keep both responsive while a job runs.
    bridge = await startTestBridge({ upscaler: { threads: 1, tileSize: 16, tileOverlap: 4 } });
    mkdirSync(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await harness?.close();
    await bridge?.close();
  });

  async function openPlugin(storage: Record<string, unknown>, image: Uint8Array) {
    const page = await harness.newPage();
    const figma = new FakeFigma({ command: 'upscale-4', storage, openUi: harness.openUi(page) });
    const hash = figma.addImage(image);
    const layer = rectangle('1:1', 'Hero image', [imagePaint(hash)]);
    figma.selection.push(layer);
    await runMainCode(figma, uiHtml);
    return { page, figma, layer, hash, ui: page.frameLocator('#plugin') };
  }

  const screen = (ui: FrameLocator, state: string) => ui.locator(`main[data-state="${state}"]`);
  const screenshot = (page: Page, name: string) =>
    page.locator('#plugin').screenshot({ path: `${OUTPUT}${name}.png` });

  it('pairs, shows progress, and cancels', async () => {
    const { page, figma, layer, hash, ui } = await openPlugin(
      { [BRIDGE_URL_KEY]: bridge.url },
      // Hundreds of tiles: still running whenever the progress screen is captured; cancelled after.
      solidPng(512, 384, [220, 120, 40]),
    );
    await screen(ui, 'pairing').waitFor();
    // The UI runs with an opaque origin, as in Figma: every bridge call crossed CORS as Origin "null".
    expect(await page.frames()[1]?.evaluate('self.origin')).toBe('null');
    await ui.getByText('npx swinup-bridge').waitFor();
    await screenshot(page, 'pairing');

    await ui.locator('input[name="token"]').fill('a-token-from-an-earlier-start');
    await ui.getByRole('button', { name: 'Pair' }).click();
    await ui.getByText('The bridge did not accept this token').waitFor();
    await screenshot(page, 'pairing-rejected');

    await ui.locator('input[name="token"]').fill(bridge.token);
    await ui.locator('input[name="token"]').press('Enter');
    await screen(ui, 'working')
      .getByText(/Tile [1-9]\d* of \d+/)
      .waitFor();
    await expect(screen(ui, 'working').locator('h1').textContent()).resolves.toBe(
      'Upscaling ×4 · image 1 of 1',
    );
    await screenshot(page, 'progress');
    expect(figma.storage.get(TOKEN_KEY)).toBe(bridge.token);

    await ui.getByRole('button', { name: 'Cancel' }).click();
    await screen(ui, 'done').getByText('Cancelled').waitFor();
    await screenshot(page, 'cancelled');
    expect((layer.fills as [ImagePaint])[0].imageHash).toBe(hash);
    await expect.poll(() => bridge.queue.running, { timeout: 10_000 }).toBe(0);
    await page.close();
  });

  it('shows success, and the layer gets the 4× image', async () => {
    // By name, as the plugin's own default URL: Chromium reaches the 127.0.0.1-only bridge as localhost.
    const { page, figma, layer, ui } = await openPlugin(
      { [BRIDGE_URL_KEY]: `http://localhost:${bridge.port}`, [TOKEN_KEY]: bridge.token },
      solidPng(48, 40, [40, 160, 220]),
    );
    await screen(ui, 'done').waitFor({ timeout: 60_000 });
    await ui.getByText('Upscaled 1 image in 1 layer.').waitFor();
    await screenshot(page, 'success');
    const [paint] = layer.fills as [ImagePaint];
    expect(figma.imageSize(paint.imageHash as string)).toEqual({ width: 192, height: 160 });
    await ui.getByRole('button', { name: 'Close' }).click();
    await figma.closed;
    await page.close();
  });

  it('tells how to start the bridge when it is not running', async () => {
    const port = await closedPort();
    const { page, layer, hash, ui } = await openPlugin(
      { [BRIDGE_URL_KEY]: `http://127.0.0.1:${port}`, [TOKEN_KEY]: bridge.token },
      solidPng(16, 16, [20, 20, 20]),
    );
    await screen(ui, 'bridge-down').waitFor();
    await ui.getByText('swinup-bridge is not running').waitFor();
    await ui.getByText('npx swinup-bridge').waitFor();
    await ui.getByText(`Nothing answered at http://127.0.0.1:${port}.`, { exact: false }).waitFor();
    await screenshot(page, 'bridge-down');
    expect((layer.fills as [ImagePaint])[0].imageHash).toBe(hash);
    await page.close();
  });
});
