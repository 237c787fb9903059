#!/usr/bin/env node
// Benchmark: builds a Vite site with `vite build`, each in a fresh process as on CI: first with an empty
// result cache (every image runs the model), then with the cache the first build left. The second build is
// short and so at the mercy of other load on the machine: it runs three times and the median counts.
// Two sites: a gallery of eight photos from ../shared/images/realsr (generated beside examples/vite-app,
// gitignored), the benchmark's subject, and examples/vite-app itself (one image: Vite's own ~0.4 s start
// bounds its ratio, so it is printed for information). Prints the times, ratios and what the plugin did.
// Usage: node packages/unplugin/bench/second-build.mjs   (after `npm install`, which builds the packages)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const example = resolve(import.meta.dirname, '../../../examples/vite-app');
const shared = process.env.SWINUP_SHARED ?? resolve(import.meta.dirname, '../../../../shared');
const GALLERY = [
  '0030.jpg',
  'ADE_val_00000114.jpg',
  'butterfly.png',
  'comic3.png',
  'dog.png',
  'foreman.png',
  'frog.png',
  'tiger.png',
];
const viteBin = join(
  dirname(createRequire(join(example, 'package.json')).resolve('vite/package.json')),
  'bin/vite.js',
);
const SUMMARY = /(\d+) image\(s\) upscaled, (\d+) from the cache/;

/** A Vite site whose page shows every gallery photo upscaled ×4 (WebP), inside examples/vite-app so it resolves its packages. */
function gallerySite() {
  const root = join(example, '.bench-gallery');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'src'), { recursive: true });
  for (const name of GALLERY) {
    const source = join(shared, 'images/realsr', name);
    if (!existsSync(source))
      throw new Error(`${source} is missing; set SWINUP_SHARED to the shared data folder`);
    copyFileSync(source, join(root, 'src', name));
  }
  writeFileSync(
    join(root, 'index.html'),
    '<!doctype html><div id="gallery"></div><script type="module" src="/src/main.js"></script>\n',
  );
  writeFileSync(
    join(root, 'src/main.js'),
    GALLERY.map((name, i) => `import photo${i} from './${name}?upscale';`).join('\n') +
      `\nfor (const src of [${GALLERY.map((_, i) => `photo${i}`).join(', ')}]) document.querySelector('#gallery').append(Object.assign(document.createElement('img'), { src }));\n`,
  );
  writeFileSync(
    join(root, 'vite.config.js'),
    "import swinup from '@swinup/unplugin/vite';\nexport default { plugins: [swinup({ defaults: { format: 'webp', quality: 85 } })] };\n",
  );
  return root;
}

function build(app, label) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [viteBin, 'build'], { cwd: app, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    throw new Error(`${label} build failed (exit ${run.status})`);
  }
  const [, inferences, cacheHits] = SUMMARY.exec(run.stdout) ?? [];
  if (inferences === undefined) throw new Error(`${label} build printed no swinup summary:\n${run.stdout}`);
  console.log(
    `${label.padEnd(12)} ${seconds.toFixed(2).padStart(7)} s  inferences ${inferences}, cache hits ${cacheHits}`,
  );
  return { seconds, inferences: Number(inferences) };
}

/** Cold build, then three warm ones; returns the ratio of the cold time to the median warm time. */
function measure(app) {
  // A cold start: the site's result cache is emptied (the model and compiled-graph cache stay).
  rmSync(join(app, 'node_modules/.cache/swinup'), { recursive: true, force: true });
  console.log(`vite build of ${app}`);
  const first = build(app, 'first');
  const warm = [1, 2, 3].map((run) => build(app, `second (${run}/3)`));
  if (warm.some((run) => run.inferences !== 0)) {
    console.error('a second build ran inference: the result cache did not work');
    process.exitCode = 1;
  }
  return first.seconds / warm.map((run) => run.seconds).sort((a, b) => a - b)[1];
}

const galleryRoot = gallerySite();
const gallery = measure(galleryRoot);
rmSync(galleryRoot, { recursive: true, force: true });
const single = measure(example);
console.log(`ratio  ${gallery.toFixed(1)}× first / median second, 8-photo gallery (goal: at least 20×)`);
console.log(`ratio  ${single.toFixed(1)}× first / median second, examples/vite-app (one image)`);
