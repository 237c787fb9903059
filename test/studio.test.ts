import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const SHARED = resolve(root, '../shared');
const CHROMIUM = '/usr/bin/chromium';
const BIN = join(root, 'packages/core/bin/swinup.js');
const OUTPUT = join(root, 'test-output', 'studio');
const BIRD = join(SHARED, 'images/set5/LR_bicubic/X4/birdx4.png');
const BABY = join(SHARED, 'images/set5/LR_bicubic/X4/babyx4.png');

const work = mkdtempSync(join(tmpdir(), 'swinup-studio-'));
let studio: ChildProcess;
let address: string;
let browser: Browser;
let page: Page;
let userDataDir: string;
const pageErrors: string[] = [];

/** The decoded size of a result card's image, once it has loaded (0×0 before). */
function resultSize(result: Locator): Promise<number[]> {
  return result
    .locator('img')
    .first()
    .evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
}

/** `swinup studio --no-open` from the built bin, as a user starts it; resolves with the printed address. */
function startStudio(): Promise<string> {
  studio = spawn(process.execPath, [BIN, 'studio', '--no-open', '--port', '0'], {
    cwd: root,
    env: { ...process.env, SWINUP_CACHE: join(work, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  studio.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolvePromise, reject) => {
    studio.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.exec(stdout);
      if (match !== null) resolvePromise(match[0]);
    });
    studio.on('exit', (code) => reject(new Error(`swinup studio exited with ${code}: ${stderr}`)));
  });
}

beforeAll(async () => {
  // Fails, never skips, without Chromium: the message names the install line.
  if (!existsSync(CHROMIUM)) throw new Error('Debian chromium is missing: apt-get install -y chromium');
  if (!existsSync(BIN) || !existsSync(join(root, 'packages/core/dist/studio/index.html')))
    throw new Error('build @swinup/core first: npm run build -w @swinup/core');
  mkdirSync(OUTPUT, { recursive: true });
  address = await startStudio();
  userDataDir = mkdtempSync(join(tmpdir(), 'swinup-studio-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1000, height: 760 },
    acceptDownloads: true,
  });
  browser = context.browser() as Browser;
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  (globalThis as { studioContext?: typeof context }).studioContext = context;
  await page.goto(address);
});

afterAll(async () => {
  await (globalThis as { studioContext?: { close(): Promise<void> } }).studioContext?.close();
  if (studio !== undefined && studio.exitCode === null) {
    const exited = new Promise((resolvePromise) => studio.once('exit', resolvePromise));
    studio.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
  if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  void browser;
});

describe('swinup studio in headless Chromium', () => {
  it('connects with the token from the address, and takes it out of the address bar', async () => {
    await expect.poll(() => page.textContent('#status')).toMatch(/^Model .+ on /);
    expect(page.url()).not.toContain('token');
    expect(await page.isHidden('#page-error')).toBe(true);
  });

  it('upscales a chosen 72×72 image to a 288×288 result with a download link', async () => {
    await page.selectOption('#scale', '4');
    await page.setInputFiles('#files', BIRD);
    const result = page.locator('[data-testid="result"]').first();
    await result.waitFor({ timeout: 120_000 });
    await expect.poll(() => resultSize(result)).toEqual([288, 288]);
    const link = result.locator('a[download]');
    expect(await link.getAttribute('download')).toBe('birdx4@4x.png');
    expect(await link.getAttribute('href')).toMatch(/^blob:/);
    expect(await result.locator('[data-testid="size"]').textContent()).toBe('288×288');
    await page.screenshot({ path: join(OUTPUT, 'result.png') });
    await result.screenshot({ path: join(OUTPUT, 'before-after.png') });
  });

  it('moves the before/after divider, zooms to 1:1 and pans', async () => {
    const result = page.locator('[data-testid="result"]').first();
    const before = result.locator('img.before');
    const clip = () => before.evaluate((img: HTMLImageElement) => img.style.clipPath);
    const half = await clip();
    const slider = result.locator('[data-testid="slider"]');
    await slider.focus();
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft');
    expect(await slider.inputValue()).toBe('30');
    expect(await clip()).not.toBe(half);
    await result.screenshot({ path: join(OUTPUT, 'slider-moved.png') });

    const zoom = result.getByRole('button', { name: 'Zoom to 1:1' });
    await zoom.click();
    expect(await zoom.getAttribute('aria-pressed')).toBe('true');
    const stage = result.locator('.viewport .stage').first();
    const transform = () => stage.evaluate((node: HTMLElement) => node.style.transform);
    expect(await transform()).toContain('scale(1)');
    const box = await result.locator('.viewport').first().boundingBox();
    if (box === null) throw new Error('the before/after view has no box');
    // 288 px in a 420 px box cannot pan; the bicubic view keeps the same transform either way.
    await page.mouse.move(box.x + 200, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 150, box.y + 160, { steps: 4 });
    await page.mouse.up();
    const bicubic = result.locator('.viewport .stage').nth(1);
    expect(await bicubic.evaluate((node: HTMLElement) => node.style.transform)).toBe(await transform());
    await result.screenshot({ path: join(OUTPUT, 'zoomed.png') });
    await zoom.click();
    expect(await zoom.getAttribute('aria-pressed')).toBe('false');
  });

  it('pans a result larger than its view, by mouse and by keyboard', async () => {
    await page.selectOption('#scale', '8');
    await page.setInputFiles('#files', BIRD);
    const result = page.locator('[data-testid="result"]').nth(1);
    await result.waitFor({ timeout: 120_000 });
    await expect.poll(() => resultSize(result)).toEqual([576, 576]);
    await result.getByRole('button', { name: 'Zoom to 1:1' }).click();
    const stage = result.locator('.viewport .stage').first();
    const transform = () => stage.evaluate((node: HTMLElement) => node.style.transform);
    const start = await transform();
    const view = result.locator('.viewport').first();
    const box = await view.boundingBox();
    if (box === null) throw new Error('the before/after view has no box');
    await page.mouse.move(box.x + 200, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 120, box.y + 120, { steps: 4 });
    await page.mouse.up();
    const dragged = await transform();
    expect(dragged).not.toBe(start);
    await view.focus();
    await page.keyboard.press('ArrowLeft');
    expect(await transform()).not.toBe(dragged);
  });

  it('shows how far a job is and cancels it', async () => {
    const jobRequests: string[] = [];
    const onRequest = (request: { url(): string }) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/jobs/')) jobRequests.push(pathname);
    };
    page.on('request', onRequest);
    await page.selectOption('#scale', '8');
    await page.setInputFiles('#files', BABY);
    const item = page.locator('#results > li').last();
    await expect
      .poll(() => item.locator('[role="status"]').textContent(), { timeout: 60_000 })
      .toMatch(/^Tiles \d+ of \d+$/);
    await item.screenshot({ path: join(OUTPUT, 'progress.png') });
    await item.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => item.locator('.error').textContent()).toBe('babyx4.png: cancelled.');
    expect(await item.locator('[data-testid="result"]').count()).toBe(0);
    page.off('request', onRequest);
    // The progress came from the event stream, not from polling.
    expect(jobRequests.some((path) => /^\/jobs\/[^/]+\/events$/.test(path))).toBe(true);
    expect(jobRequests.filter((path) => /^\/jobs\/[^/]+$/.test(path))).toEqual([]);
  });

  it('names the error of a damaged file in words', async () => {
    const damaged = join(work, 'damaged.png');
    const png = readFileSync(BIRD);
    writeFileSync(damaged, Buffer.concat([png.subarray(0, 64), Buffer.alloc(256, 7)]));
    await page.selectOption('#scale', '4');
    await page.setInputFiles('#files', damaged);
    const item = page.locator('#results > li').last();
    const error = item.locator('.error');
    await expect.poll(() => error.textContent(), { timeout: 60_000 }).toMatch(/^damaged\.png: .{20,}/);
    expect(await error.isVisible()).toBe(true);
    await item.screenshot({ path: join(OUTPUT, 'error.png') });
  });

  it('downloads every result as one zip', async () => {
    const button = page.getByRole('button', { name: 'Download all (.zip)' });
    expect(await button.isEnabled()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe('swinup-studio.zip');
    const path = join(work, 'all.zip');
    await download.saveAs(path);
    const { unzipSync } = await import('fflate');
    const names = Object.keys(unzipSync(readFileSync(path)));
    expect(names.sort()).toEqual(['birdx4@4x.png', 'birdx4@8x.png']);
  });

  it('makes an exact width, with JPEG format and quality', async () => {
    await page.selectOption('#scale', 'width');
    await page.getByLabel('Width (px)').fill('100');
    await page.selectOption('#format', 'jpeg');
    await page.getByLabel('Quality', { exact: true }).fill('80');
    await page.setInputFiles('#files', BIRD);
    const result = page.locator('#results > li').last().locator('[data-testid="result"]');
    await result.waitFor({ timeout: 120_000 });
    await expect.poll(() => resultSize(result)).toEqual([100, 100]);
    expect(await result.locator('a[download]').getAttribute('download')).toBe('birdx4@100w.jpg');
  });

  it('offers the installed models in a labelled select, the default chosen', async () => {
    const select = page.getByLabel('Model', { exact: true });
    await expect.poll(() => select.locator('option').count()).toBeGreaterThan(0);
    const options = await select.locator('option').allTextContents();
    expect(options.some((text) => /^swinup-s-x4 — ×4( — Set5 \d+\.\d\d dB)?$/.test(text))).toBe(true);
    expect(await select.inputValue()).toBe('swinup-s-x4');
  });

  it('writes WebP when chosen', async () => {
    await page.selectOption('#scale', '2');
    await page.selectOption('#format', 'webp');
    await page.setInputFiles('#files', BIRD);
    const result = page.locator('#results > li').last().locator('[data-testid="result"]');
    await result.waitFor({ timeout: 120_000 });
    expect(await result.locator('a[download]').getAttribute('download')).toMatch(/\.webp$/);
  });

  it('tells a page opened without its token what to open instead', async () => {
    const bare = await page.context().newPage();
    await bare.goto(address.replace(/#.*$/, ''));
    await expect.poll(() => bare.textContent('#page-error')).toContain('#token=');
    expect(await bare.isVisible('#page-error')).toBe(true);
    await bare.close();
    expect(pageErrors).toEqual([]);
  });
});
