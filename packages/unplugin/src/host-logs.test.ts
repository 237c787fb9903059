import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild, tempDir, writeProject } from './test-support/bundlers.js';
import { patternPng } from './test-support/images.js';

// The real catalog: the bundled default runs, and a better official ×4 model exists to be pulled.
const TIP =
  /tip: swinir-lightweight-x4 \(Set5 32\.44 dB vs [\d.]+, [\d.]+ MB\) is available: npx swinup models pull swinir-lightweight-x4$/;

let root: string;
let cleanup: () => Promise<void>;
const previous = { cache: process.env.SWINUP_CACHE, offline: process.env.SWINUP_OFFLINE };

beforeAll(async () => {
  [root, cleanup] = await tempDir('host-logs');
  process.env.SWINUP_CACHE = join(root, 'models');
  delete process.env.SWINUP_OFFLINE;
  await writeProject(root, {
    'src/entry.js': "import hero from './assets/bird.png?upscale';\nconsole.log(hero);\n",
    'src/assets/bird.png': patternPng(24, 16),
  });
});

afterAll(async () => {
  process.env.SWINUP_CACHE = previous.cache;
  if (previous.offline !== undefined) process.env.SWINUP_OFFLINE = previous.offline;
  await cleanup();
});

describe("the host's logger", () => {
  it('shows the model that ran in every build, and the better-model tip once per process', async () => {
    const vite: string[] = [];
    const webpack: string[] = [];
    await runBuild('vite', root, { cacheDir: join(root, 'results-vite') }, vite);
    await runBuild('webpack', root, { cacheDir: join(root, 'results-webpack') }, webpack);

    expect(vite.filter((line) => TIP.test(line))).toEqual([expect.stringMatching(/swinup: tip: /)]);
    expect(webpack.join('\n')).not.toContain('tip:');
    for (const lines of [vite, webpack]) {
      expect(lines).toContainEqual(expect.stringMatching(/bird\.png.* in [\d.]+ s \(swinup-s-x4\)/));
      expect(lines).toContainEqual(expect.stringMatching(/1 image\(s\) upscaled, 0 from the cache/));
    }
  });
});
