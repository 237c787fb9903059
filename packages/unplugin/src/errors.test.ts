import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UpscaleStats } from './index.js';
import { BUNDLERS, runBuild, tempDir, writeProject } from './test-support/bundlers.js';
import { patternPng } from './test-support/images.js';

let root: string;
let cleanup: () => Promise<void>;
let cacheDir: string;
const previousCache = process.env.SWINUP_CACHE;

async function withEntry(entry: string): Promise<void> {
  await writeProject(root, { 'src/entry.js': entry });
}

beforeAll(async () => {
  [root, cleanup] = await tempDir('errors');
  cacheDir = join(root, 'results');
  process.env.SWINUP_CACHE = join(root, 'models');
  // A named model that is not installed would be downloaded; offline, the build fails naming how to install it.
  vi.stubEnv('SWINUP_OFFLINE', '1');
  const png = patternPng(16, 16);
  await writeProject(root, {
    'src/assets/good.png': png,
    // A real PNG signature and header, cut off in the middle of its data.
    'src/assets/broken.png': png.subarray(0, 40),
  });
});

afterAll(async () => {
  process.env.SWINUP_CACHE = previousCache;
  vi.unstubAllEnvs();
  await cleanup();
});

describe.each(BUNDLERS)('%s', (bundler) => {
  it('fails the build on a broken image with a message naming the file', async () => {
    await withEntry(
      `import good from './assets/good.png?upscale';\nimport broken from './assets/broken.png?upscale';\nconsole.log(good, broken);\n`,
    );
    await expect(runBuild(bundler, root, { cacheDir })).rejects.toThrow(
      /swinup could not upscale src\/assets\/broken\.png: image is damaged or truncated/,
    );
  });
});

describe('build errors', () => {
  it('leave the other images alone: their results are complete and cached', async () => {
    const ownCache = join(root, 'results-partial');
    await withEntry(
      `import good from './assets/good.png?upscale';\nimport broken from './assets/broken.png?upscale';\nconsole.log(good, broken);\n`,
    );
    await expect(runBuild('rollup', root, { cacheDir: ownCache })).rejects.toThrow(/broken\.png/);
    await withEntry(`import good from './assets/good.png?upscale';\nconsole.log(good);\n`);
    let stats: UpscaleStats | undefined;
    await runBuild('rollup', root, { cacheDir: ownCache, onStats: (s) => (stats = s) });
    expect(stats).toEqual({ inferences: 0, cacheHits: 1 });
  });

  it.each([
    ['?upscale&sharpen=2', /good\.png: Invalid option sharpen in \?upscale&sharpen=2/],
    ['?upscale&format=gif', /good\.png: Invalid option format .*"gif"; expected one of png, jpeg/],
    [
      '?upscale&model=swinir-classical-x2',
      /good\.png: model "swinir-classical-x2" is not installed .*offline mode is on.*swinup models pull swinir-classical-x2/,
    ],
  ])('name the image and the reason for %s', async (query, message) => {
    await withEntry(`import good from './assets/good.png${query}';\nconsole.log(good);\n`);
    await expect(runBuild('vite', root, { cacheDir })).rejects.toThrow(message);
  });
});
