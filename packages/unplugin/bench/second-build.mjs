#!/usr/bin/env node
// Benchmark: builds examples/vite-app with `vite build`, each in a fresh process as on CI: first
// with an empty result cache (every image runs the model), then with the cache the first build left.
// The second build is short and so at the mercy of other load on the machine: it runs three times
// and the median counts. Prints the times, their ratio and what the plugin reported doing.
// Usage: node packages/unplugin/bench/second-build.mjs   (after `npm install`, which builds the packages)
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const app = resolve(import.meta.dirname, '../../../examples/vite-app');
const cacheDir = join(app, 'node_modules/.cache/swinup');
const viteBin = join(
  dirname(createRequire(join(app, 'package.json')).resolve('vite/package.json')),
  'bin/vite.js',
);
const SUMMARY = /(\d+) image\(s\) upscaled, (\d+) from the cache/;

function build(label) {
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

// A cold start: the example's result cache is emptied (the model and compiled-graph cache stay).
rmSync(cacheDir, { recursive: true, force: true });
console.log(`vite build of ${app}`);
const first = build('first');
const warm = [1, 2, 3].map((run) => build(`second (${run}/3)`));
const median = warm.map((run) => run.seconds).sort((a, b) => a - b)[1];
console.log(`ratio  ${(first.seconds / median).toFixed(1)}× first / median second (goal: at least 20×)`);
if (warm.some((run) => run.inferences !== 0)) {
  console.error('a second build ran inference: the result cache did not work');
  process.exitCode = 1;
}
