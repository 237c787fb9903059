import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpscaleStats } from './index.js';
import { BUNDLERS, runBuild, runEntry, tempDir, writeProject } from './test-support/bundlers.js';
import { imageHeader, patternPng } from './test-support/images.js';

const ENTRY = `import hero from './assets/bird.png?upscale';
import meta from './assets/bird.png?upscale&as=meta';
import small from './assets/bird.png?upscale&width=64&format=webp';
console.log(JSON.stringify({ hero, meta, small }));
`;

interface Printed {
  hero: string;
  small: string;
  meta: { src: string; width: number; height: number; format: string };
}

const SELECTED_ENTRY = `import photo from './assets/photo.png';
import other from './assets/skip/other.png?upscale';
console.log(JSON.stringify({ photo, other }));
`;

let root: string;
let selectedRoot: string;
let cleanup: () => Promise<void>;
const previousCache = process.env.SWINUP_CACHE;

beforeAll(async () => {
  [root, cleanup] = await tempDir('bundlers');
  process.env.SWINUP_CACHE = join(root, 'models');
  await writeProject(root, { 'src/entry.js': ENTRY, 'src/assets/bird.png': patternPng(32, 24) });
  selectedRoot = join(root, 'selected');
  await writeProject(selectedRoot, {
    'src/entry.js': SELECTED_ENTRY,
    'src/assets/photo.png': patternPng(32, 24),
    'src/assets/skip/other.png': patternPng(16, 8),
  });
});

afterAll(async () => {
  process.env.SWINUP_CACHE = previousCache;
  await cleanup();
});

/** The output file a URL points at. */
function fileOf(files: ReadonlyMap<string, Buffer>, url: string): [string, Buffer] {
  const name = url.split('/').pop() as string;
  const match = [...files].find(([path]) => path.split('/').pop() === name);
  if (match === undefined)
    throw new Error(`${url} is not among the outputs: ${[...files.keys()].join(', ')}`);
  return match;
}

describe.each(BUNDLERS)('%s build', (bundler) => {
  it('emits the upscaled image and resolves the import to its URL', async () => {
    let stats: UpscaleStats | undefined;
    const out = await runBuild(bundler, root, {
      // A fresh result cache per bundler, so each build's own work is what the stats count.
      cacheDir: join(root, `results-${bundler}`),
      onStats: (s) => {
        stats = s;
      },
    });
    const printed = runEntry(out.entry) as Printed;

    const [heroPath, hero] = fileOf(out.files, printed.hero);
    expect(imageHeader(hero)).toEqual({ format: 'png', width: 128, height: 96 });
    expect(heroPath).toMatch(/bird.*\.png$/);
    expect(out.files.get('entry.js')?.toString()).toContain(heroPath.split('/').pop());

    const [smallPath, small] = fileOf(out.files, printed.small);
    expect(imageHeader(small)).toEqual({ format: 'webp', width: 64, height: 48 });
    expect(smallPath).toMatch(/bird.*\.webp$/);

    expect(printed.meta).toEqual({ src: printed.hero, width: 128, height: 96, format: 'png' });
    // Two distinct images (the URL and meta imports share one result), each computed once.
    expect(stats?.inferences).toBe(2);
  });
});

describe.each(BUNDLERS)('%s build with include globs', (bundler) => {
  it('upscales selected plain imports with the defaults, and query imports outside the globs', async () => {
    const out = await runBuild(bundler, selectedRoot, {
      cacheDir: join(root, 'results'),
      include: 'src/assets/**/*.png',
      exclude: 'src/assets/skip/**',
      defaults: { width: 64, format: 'webp' },
    });
    const printed = runEntry(out.entry) as { photo: string; other: string };
    expect(imageHeader(fileOf(out.files, printed.photo)[1])).toEqual({
      format: 'webp',
      width: 64,
      height: 48,
    });
    // The query sets no size, so the default width applies; the format default applies too.
    expect(imageHeader(fileOf(out.files, printed.other)[1])).toEqual({
      format: 'webp',
      width: 64,
      height: 32,
    });
  });
});
