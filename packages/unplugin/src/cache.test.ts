import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwinupPluginOptions, UpscaleStats } from './index.js';
import { runBuild, runEntry, tempDir, writeProject } from './test-support/bundlers.js';
import { imageHeader, patternPng } from './test-support/images.js';

let root: string;
let cleanup: () => Promise<void>;
const previousCache = process.env.SWINUP_CACHE;

beforeAll(async () => {
  [root, cleanup] = await tempDir('cache');
  process.env.SWINUP_CACHE = join(root, 'models');
  const image = patternPng(24, 16);
  await writeProject(root, {
    // Two files with the same bytes: one cache key, so concurrent requests share one job.
    'src/entry.js': `import a from './a.png?upscale';\nimport b from './b.png?upscale';\nconsole.log(JSON.stringify([a, b]));\n`,
    'src/a.png': image,
    'src/b.png': image,
  });
});

afterAll(async () => {
  process.env.SWINUP_CACHE = previousCache;
  await cleanup();
});

/** A Vite build of the project with the default cache folder and the work it did. */
async function build(options: SwinupPluginOptions = {}) {
  let stats: UpscaleStats | undefined;
  const cached: boolean[] = [];
  const out = await runBuild('vite', root, {
    ...options,
    onStats: (s) => {
      stats = s;
    },
    onResult: ({ info }) => cached.push(info.cached),
  });
  const urls = runEntry(out.entry) as string[];
  const images = urls.map((url) => imageHeader(out.files.get(url.slice(1)) as Buffer));
  return { stats, cached, images };
}

async function cacheEntries(): Promise<string[]> {
  const dir = join(root, 'node_modules/.cache/swinup');
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  return files.filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name));
}

describe('persistent result cache', () => {
  it('runs one inference for identical images and stores it in node_modules/.cache/swinup', async () => {
    const first = await build();
    expect(first.stats?.inferences).toBe(1);
    expect(first.images).toEqual([
      { format: 'png', width: 96, height: 64 },
      { format: 'png', width: 96, height: 64 },
    ]);
    expect(await cacheEntries()).toHaveLength(1);
  });

  it('runs no inference in a second build', async () => {
    const second = await build();
    expect(second.stats).toEqual({ inferences: 0, cacheHits: 2 });
    expect(second.cached).toEqual([true, true]);
    expect(second.images[0]).toEqual({ format: 'png', width: 96, height: 64 });
  });

  it('detects a corrupt entry and rebuilds it', async () => {
    const [entry] = await cacheEntries();
    const bytes = await readFile(entry as string);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    await writeFile(entry as string, bytes);

    const repaired = await build();
    expect(repaired.stats?.inferences).toBe(1);
    expect(repaired.images[0]).toEqual({ format: 'png', width: 96, height: 64 });
    expect((await build()).stats).toEqual({ inferences: 0, cacheHits: 2 });
  });

  it('keys entries by the options: a new size is a new entry, a configured folder is used', async () => {
    const cacheDir = join(root, 'ci-cache');
    const resized = await build({ cacheDir, defaults: { width: 48 } });
    expect(resized.stats?.inferences).toBe(1);
    expect(resized.images[0]).toEqual({ format: 'png', width: 48, height: 32 });
    expect(await readdir(cacheDir)).toHaveLength(1);
  });
});
