import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bridge, DEFAULT_PORT } from '../src/bridge/index.js';
import { BRIDGE_URL_KEY, DEFAULT_BRIDGE_URL, TOKEN_KEY } from '../src/plugin/main.js';
import { FakeFigma, type FakeLayer, imagePaint, rectangle, runMainCode } from './support/fake-figma.js';
import { NodeUi } from './support/node-ui.js';
import { solidPng } from './support/png.js';
import { startTestBridge } from './support/test-bridge.js';

const SOLID_RED: SolidPaint = {
  type: 'SOLID',
  color: { r: 1, g: 0, b: 0 },
  opacity: 1,
  visible: true,
  blendMode: 'NORMAL',
};

function openPlugin(options: { command: string; storage: Record<string, unknown> }) {
  const ui = new NodeUi();
  const figma = new FakeFigma({ ...options, openUi: ui.open });
  return { ui, figma };
}

describe('plugin main code with a real bridge', () => {
  let bridge: Bridge;
  let paired: Record<string, unknown>;

  beforeAll(async () => {
    bridge = await startTestBridge();
    paired = { [TOKEN_KEY]: bridge.token, [BRIDGE_URL_KEY]: bridge.url };
  });
  afterAll(() => bridge?.close());

  it('replaces image fills with 4× images, 2× where 4× would pass 4096 px, and leaves other layers', async () => {
    const ui = new NodeUi();
    const figma = new FakeFigma({ command: 'upscale-4', openUi: ui.open, storage: paired });
    const small = figma.addImage(solidPng(16, 16, [200, 60, 40]));
    const wide = figma.addImage(solidPng(1100, 8, [30, 90, 200]));
    const photo = imagePaint(small, {
      opacity: 0.8,
      blendMode: 'MULTIPLY',
      filters: { exposure: 0.2, saturation: -0.5 },
    });
    const cropped = imagePaint(wide, {
      scaleMode: 'CROP',
      imageTransform: [
        [0.5, 0, 0.25],
        [0, 1, 0],
      ],
      rotation: 0,
    });
    const tiled = imagePaint(small, { scaleMode: 'TILE', scalingFactor: 0.5 });
    const layers = {
      photo: rectangle('1:1', 'Photo', [SOLID_RED, photo]),
      banner: rectangle('1:2', 'Banner', [cropped]),
      pattern: rectangle('1:3', 'Pattern', [tiled]),
      label: {
        id: '1:4',
        name: 'Label',
        type: 'TEXT',
        fills: [SOLID_RED],
        removed: false,
      } satisfies FakeLayer,
      group: { id: '1:5', name: 'Group', type: 'GROUP', removed: false } satisfies FakeLayer,
    };
    const untouched = { label: layers.label.fills, group: layers.group };
    figma.selection.push(...Object.values(layers));

    const done = ui.next('done');
    await runMainCode(figma, '<ui>');
    const { summary } = await done;

    expect(figma.uiOptions).toMatchObject({ title: 'swinup ×4' });
    expect(summary).toMatchObject({ upscaled: 2, layers: 3, cancelled: false });
    const [red, upscaledPhoto] = layers.photo.fills as [SolidPaint, ImagePaint];
    expect(red).toBe(SOLID_RED);
    expect(upscaledPhoto.imageHash).not.toBe(small);
    expect(upscaledPhoto).toEqual({ ...photo, imageHash: upscaledPhoto.imageHash });
    expect(figma.imageSize(upscaledPhoto.imageHash as string)).toEqual({ width: 64, height: 64 });

    const [upscaledBanner] = layers.banner.fills as [ImagePaint];
    expect(upscaledBanner).toEqual({ ...cropped, imageHash: upscaledBanner.imageHash });
    expect(figma.imageSize(upscaledBanner.imageHash as string)).toEqual({ width: 2200, height: 16 });

    // The tiled layer shares the photo's image: one job, and its tiles keep their size on the canvas.
    const [upscaledTile] = layers.pattern.fills as [ImagePaint];
    expect(upscaledTile).toEqual({ ...tiled, imageHash: upscaledPhoto.imageHash, scalingFactor: 0.125 });

    expect(layers.label.fills).toBe(untouched.label);
    expect(layers.group).toBe(untouched.group);
    expect(layers.group).not.toHaveProperty('fills');
    expect(figma.notices[0]).toBe('2 selected layers have no image fill and were left untouched.');
    expect(figma.notices.at(-1)).toBe(
      "swinup: upscaled 2 images ×4 (1 at ×2 to stay within Figma's 4096 px limit).",
    );
    expect(summary.notes).toContain(
      "“Banner” was upscaled ×2: ×4 would make it 4400×32, past Figma's 4096 px limit.",
    );
    ui.controller.close();
    expect(await figma.closed).toBeUndefined();
  });

  it('asks for the token, refuses a wrong one, keeps the right one in clientStorage', async () => {
    const { ui, figma } = openPlugin({ command: 'upscale-2', storage: { [BRIDGE_URL_KEY]: bridge.url } });
    const hash = figma.addImage(solidPng(16, 16, [10, 200, 10]));
    const layer = rectangle('2:1', 'Icon', [imagePaint(hash)]);
    figma.selection.push(layer);

    const asked = ui.next('pairing');
    await runMainCode(figma, '<ui>');
    expect(await asked).toEqual({ kind: 'pairing', rejected: false });
    const refused = ui.next('pairing');
    await ui.controller.pair('not-the-token-at-all');
    expect(await refused).toEqual({ kind: 'pairing', rejected: true });
    const done = ui.next('done');
    await ui.controller.pair(` ${bridge.token} `);
    expect((await done).summary).toMatchObject({ upscaled: 1, layers: 1 });
    expect(figma.storage.get(TOKEN_KEY)).toBe(bridge.token);
    const [paint] = layer.fills as [ImagePaint];
    expect(figma.imageSize(paint.imageHash as string)).toEqual({ width: 32, height: 32 });
  });

  it('cancels: the running job stops at the bridge and the layer keeps its image', async () => {
    const { ui, figma } = openPlugin({ command: 'upscale-4', storage: paired });
    const hash = figma.addImage(solidPng(256, 256, [120, 120, 30]));
    const layer = rectangle('3:1', 'Hero', [imagePaint(hash)]);
    figma.selection.push(layer);

    const running = ui.next('working', (state) => state.tilesDone > 0);
    await runMainCode(figma, '<ui>');
    await running;
    const done = ui.next('done');
    ui.controller.cancel();
    expect((await done).summary).toMatchObject({ upscaled: 0, cancelled: true });
    expect((layer.fills as [ImagePaint])[0].imageHash).toBe(hash);
    expect(figma.notices.at(-1)).toBe('swinup: upscaled 0 images ×4, then cancelled.');
    const deadline = Date.now() + 10_000;
    while (bridge.queue.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(bridge.queue).toMatchObject({ running: 0, waiting: 0 });
  });

  it('shows how to start the bridge when it is not running', async () => {
    const { ui, figma } = openPlugin({
      command: 'upscale-4',
      storage: { ...paired, [BRIDGE_URL_KEY]: 'http://127.0.0.1:9' },
    });
    const hash = figma.addImage(solidPng(16, 16, [1, 2, 3]));
    const layer = rectangle('4:1', 'Logo', [imagePaint(hash)]);
    figma.selection.push(layer);
    const down = ui.next('bridge-down');
    await runMainCode(figma, '<ui>');
    expect(await down).toEqual({ kind: 'bridge-down', bridgeUrl: 'http://127.0.0.1:9' });
    expect((layer.fills as [ImagePaint])[0].imageHash).toBe(hash);
  });

  it('closes with a notice when nothing in the selection can be upscaled', async () => {
    const empty = openPlugin({ command: 'upscale-4', storage: paired });
    await runMainCode(empty.figma, '<ui>');
    expect(await empty.figma.closed).toBe('Select a layer with an image fill, then run swinup again.');

    const { figma } = openPlugin({ command: 'upscale-2', storage: paired });
    const huge = figma.addImage(solidPng(2100, 4, [0, 0, 0]));
    figma.selection.push(rectangle('5:1', 'Strip', [imagePaint(huge)]), rectangle('5:2', 'Box', [SOLID_RED]));
    await runMainCode(figma, '<ui>');
    expect(await figma.closed).toBe(
      "Nothing to upscale. “Strip” was left as is: at 2100×4, even ×2 would pass Figma's 4096 px limit. " +
        '1 selected layer has no image fill and was left untouched.',
    );
    expect(figma.uiOptions).toBeUndefined();
  });
});

describe('manifest', () => {
  const manifest = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));

  it('offers ×2 and ×4 and allows only the bridge origin the plugin uses', () => {
    expect(manifest.menu).toEqual([
      { name: 'Upscale ×2', command: 'upscale-2' },
      { name: 'Upscale ×4', command: 'upscale-4' },
    ]);
    expect(manifest.networkAccess.allowedDomains).toEqual([DEFAULT_BRIDGE_URL]);
    expect(DEFAULT_BRIDGE_URL).toBe(`http://localhost:${DEFAULT_PORT}`);
    expect(manifest.main).toBe('dist/plugin/code.js');
    expect(manifest.ui).toBe('dist/plugin/ui.html');
  });
});
