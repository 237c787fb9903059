import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { rspack } from '@rspack/core';
import * as esbuild from 'esbuild';
import { rollup } from 'rollup';
import { createLogger, build as viteBuild } from 'vite';
import webpack from 'webpack';
import swinupEsbuild from '../esbuild.js';
import type { SwinupPluginOptions } from '../index.js';
import swinupRollup from '../rollup.js';
import swinupRspack from '../rspack.js';
import swinupVite from '../vite.js';
import swinupWebpack from '../webpack.js';

/** The bundlers the plugin supports. */
export const BUNDLERS = ['vite', 'rollup', 'webpack', 'rspack', 'esbuild'] as const;
/** One of them. */
export type Bundler = (typeof BUNDLERS)[number];

/** What a build wrote: every output file by its path relative to the output folder. */
export interface BuildOutput {
  readonly outDir: string;
  readonly files: ReadonlyMap<string, Buffer>;
  /** Path of the entry chunk. */
  readonly entry: string;
}

/** A temporary folder; removed by the returned function. */
export async function tempDir(prefix: string): Promise<[string, () => Promise<void>]> {
  const dir = await mkdtemp(join(tmpdir(), `swinup-${prefix}-`));
  return [dir, () => rm(dir, { recursive: true, force: true })];
}

/** Writes a fixture project (an ES-module package) with the given files under `root`. */
export async function writeProject(root: string, files: Record<string, string | Buffer>): Promise<void> {
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function listFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split('\\').join('/'), await readFile(path));
  }
  return files;
}

/** A stream that adds each line written to it to `lines`. */
function lineCollector(lines: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.trim() !== ''),
      );
      done();
    },
  });
}

function webpackLike(
  run: typeof webpack | typeof rspack,
  plugin: typeof swinupWebpack | typeof swinupRspack,
  root: string,
  outDir: string,
  options: SwinupPluginOptions,
  logs: string[] | undefined,
): Promise<void> {
  const config = {
    mode: 'production' as const,
    context: root,
    entry: './src/entry.js',
    output: { path: outDir, filename: 'entry.js', publicPath: '/' },
    optimization: { minimize: false },
    cache: false,
    plugins: [plugin(options)],
    infrastructureLogging:
      logs === undefined
        ? { level: 'none' as const }
        : { level: 'info' as const, colors: false, stream: lineCollector(logs) },
  };
  return new Promise((done, fail) => {
    // The two compilers share webpack's API; their config types differ only in details unused here.
    const compiler = (run as typeof webpack)(config as webpack.Configuration);
    compiler.run((error, stats) => {
      compiler.close(() => {
        if (error) return fail(error);
        if (stats?.hasErrors()) return fail(new Error(stats.toString('errors-only')));
        done();
      });
    });
  });
}

/**
 * Builds `src/entry.js` of a fixture project with one bundler into `<root>/dist`. With `logs`, the lines
 * Vite's logger or webpack's and Rspack's infrastructure logger print are collected there.
 */
export async function runBuild(
  bundler: Bundler,
  root: string,
  options: SwinupPluginOptions,
  logs?: string[],
): Promise<BuildOutput> {
  const outDir = join(root, 'dist');
  const input = join(root, 'src/entry.js');
  await rm(outDir, { recursive: true, force: true });
  switch (bundler) {
    case 'vite':
      await viteBuild({
        root,
        configFile: false,
        ...(logs === undefined
          ? { logLevel: 'silent' as const }
          : { customLogger: collectingViteLogger(logs) }),
        plugins: [swinupVite(options)],
        build: {
          outDir,
          minify: false,
          rollupOptions: { input, output: { entryFileNames: 'entry.js' } },
        },
      });
      break;
    case 'rollup': {
      // Rollup's project root is the working folder, as when `rollup -c` runs in the project.
      const cwd = process.cwd();
      process.chdir(root);
      try {
        const bundle = await rollup({ input, plugins: [swinupRollup(options)], logLevel: 'silent' });
        await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'entry.js' });
        await bundle.close();
      } finally {
        process.chdir(cwd);
      }
      break;
    }
    case 'webpack':
      await webpackLike(webpack, swinupWebpack, root, outDir, options, logs);
      break;
    case 'rspack':
      await webpackLike(rspack, swinupRspack, root, outDir, options, logs);
      break;
    case 'esbuild':
      await esbuild.build({
        entryPoints: [input],
        bundle: true,
        outdir: outDir,
        format: 'esm',
        absWorkingDir: root,
        logLevel: 'silent',
        plugins: [swinupEsbuild(options)],
      });
      break;
  }
  return { outDir, files: await listFiles(outDir), entry: join(outDir, 'entry.js') };
}

/** Vite's own logger, printing into `lines` instead of the terminal. */
function collectingViteLogger(lines: string[]) {
  const logger = createLogger('info', { allowClearScreen: false });
  for (const level of ['info', 'warn', 'warnOnce', 'error'] as const)
    logger[level] = (message: string) => {
      lines.push(message);
    };
  return logger;
}

/** Runs a built entry with Node and parses the JSON it prints. */
export function runEntry(entry: string): unknown {
  return JSON.parse(execFileSync(process.execPath, [entry], { encoding: 'utf8' }));
}
