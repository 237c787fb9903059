import { execFile, execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every published package, packed exactly as `npm publish` would pack it, checked the way a registry
// user meets it: publint (package.json and files), Are the Types Wrong (type resolution), a dry-run
// publish, and a consumer project that type-checks and loads each entry point from the tarballs.

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'node_modules/.bin');
const run = promisify(execFile);
const PACKAGE_DIRS = [
  'packages/core',
  'packages/unplugin',
  'packages/gatsby-transformer',
  'packages/figma',
  'models',
];
/**
 * attw's strict profile checks node10, node16 (from CJS and ESM) and bundler resolution. The packages are
 * ESM-only, so a `require()` resolves to ESM: Node ≥ 20.19 loads that (require(esm)) and TypeScript ≥ 5.8
 * accepts it under `module: nodenext`, but attw (TypeScript 5.6) reports it. That one rule is ignored.
 */
const ATTW_ARGS = [
  '--ignore-rules',
  'cjs-resolves-to-esm',
  '--format',
  'table-flipped',
  '--no-color',
  '--no-emoji',
];
const REPOSITORY = 'git+https://github.com/swinup/swinup.git';

interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/** `npm pack --json`'s report of one tarball. */
interface PackReport {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: readonly PackedFile[];
}

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly homepage?: string;
  readonly bugs?: { readonly url?: string };
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string };
  readonly engines?: Readonly<Record<string, string>>;
  readonly files?: readonly string[];
  readonly bin?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, unknown>>;
  readonly publishConfig?: { readonly access?: string };
  readonly private?: boolean;
}

interface Packed {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly report: PackReport;
  readonly tarball: string;
}

const work = mkdtempSync(join(tmpdir(), 'swinup-publish-'));
const packed = new Map<string, Packed>();

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
}

function packedOf(dir: string): Packed {
  const entry = packed.get(dir);
  if (entry === undefined) throw new Error(`${dir} was not packed`);
  return entry;
}

/** The file paths an `exports` map points at (its leaf values, under any condition). */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (typeof exports !== 'object' || exports === null) return [];
  return Object.values(exports).flatMap(exportTargets);
}

function kB(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

/** Output of a command that failed, for the assertion message. */
function failure(error: unknown): string {
  const {
    stdout = '',
    stderr = '',
    message,
  } = error as { stdout?: string; stderr?: string; message: string };
  return stripVTControlCharacters(`${message}\n${stdout}\n${stderr}`);
}

beforeAll(async () => {
  // Pack what the sources build to now (turbo skips packages whose build is up to date).
  await run('npx', ['turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], {
    cwd: root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const dir of PACKAGE_DIRS) {
    const { stdout } = await run(
      'npm',
      ['pack', '--json', '--pack-destination', tarballs, '--workspace', dir],
      {
        cwd: root,
      },
    );
    const [report] = JSON.parse(stdout.slice(stdout.indexOf('['))) as PackReport[];
    if (report === undefined) throw new Error(`npm pack printed no report for ${dir}`);
    packed.set(dir, { dir, manifest: manifestOf(dir), report, tarball: join(tarballs, report.filename) });
  }
});

afterAll(() => {
  const rows = [...packed.values()].map(
    ({ report }) =>
      `${report.name.padEnd(27)} ${kB(report.size).padStart(10)} packed ${kB(report.unpackedSize).padStart(10)} unpacked ${String(report.entryCount).padStart(4)} files`,
  );
  if (rows.length > 0) console.info(`npm pack sizes:\n${rows.join('\n')}`);
  rmSync(work, { recursive: true, force: true });
});

describe.each(PACKAGE_DIRS)('%s', (dir) => {
  it('has the metadata npm shows and ships its licence, readme and entry points', () => {
    const { manifest, report } = packedOf(dir);
    expect(manifest.private).toBeUndefined();
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.repository).toEqual({ type: 'git', url: REPOSITORY, directory: dir });
    expect(manifest.homepage).toBe(`https://github.com/swinup/swinup/tree/main/${dir}#readme`);
    expect(manifest.bugs?.url).toBe('https://github.com/swinup/swinup/issues');
    expect(manifest.engines).toEqual({ node: '>=20.19.0' });
    expect(manifest.files).toContain('LICENSE');
    if (manifest.name.startsWith('@')) expect(manifest.publishConfig?.access).toBe('public');

    const files = report.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(readFileSync(join(root, dir, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(root, 'LICENSE'), 'utf8'),
    );
    const readme = readFileSync(join(root, dir, 'README.md'), 'utf8');
    expect(
      readme.includes('ONNXRUNTIME_NODE_INSTALL=skip'),
      `${dir}/README.md: onnxruntime-node's download switch`,
    ).toBe(true);
    expect(
      files.filter((file) => /(^|\/)(src|test|test-support)\/|\.test\.|\.tsbuildinfo$/.test(file)),
    ).toEqual([]);
    for (const target of Object.values(manifest.bin ?? {}))
      expect(files).toContain(target.replace(/^\.\//, ''));
    // Every file an export names is in the tarball (patterns: at least one file matches).
    for (const target of exportTargets(manifest.exports)) {
      const path = target.replace(/^\.\//, '');
      const pattern = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('*', '.+')}$`);
      expect(
        files.some((file) => pattern.test(file)),
        `${target} (exports) is not packed`,
      ).toBe(true);
    }
  });

  it('passes publint with no errors or warnings', async () => {
    const { tarball } = packedOf(dir);
    const bytes = readFileSync(tarball);
    const { messages, pkg } = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      level: 'suggestion',
      strict: true,
    });
    const report = messages.map(
      (message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`,
    );
    expect(report).toEqual([]);
  });

  it('has types that resolve in every module resolution mode (Are the Types Wrong)', async () => {
    const { manifest, tarball } = packedOf(dir);
    const result = await run(join(bin, 'attw'), [tarball, ...ATTW_ARGS]).catch((error: unknown) => {
      throw new Error(failure(error));
    });
    const output = stripVTControlCharacters(result.stdout);
    if (manifest.name === '@swinup/models') {
      // A data package: its exports are JSON and weight files, nothing to type.
      expect(output).toContain('This package does not contain types');
      const targets = exportTargets(manifest.exports);
      expect(targets.every((target) => /\.json$|^\.\/weights\/\*$/.test(target))).toBe(true);
      return;
    }
    expect(output).toContain('No problems found');
    expect(output).not.toMatch(/No types|Resolution failed|Masquerades|Internal resolution error/);
  });

  it('publishes in a dry run (against a stand-in registry that has never seen it)', async () => {
    const { manifest, tarball } = packedOf(dir);
    // npm's dry run still asks the registry whether the version exists; a local server answers 404, as
    // the npm registry does for these unpublished names, and records that nothing but reads reached it.
    const requests: string[] = [];
    const registry: Server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
    });
    await new Promise<void>((listening) => registry.listen(0, '127.0.0.1', listening));
    const { port } = registry.address() as AddressInfo;
    try {
      const cwd = mkdtempSync(join(work, 'publish-'));
      const { stdout, stderr } = await run(
        'npm',
        ['publish', tarball, '--dry-run', `--registry=http://127.0.0.1:${port}/`, '--fetch-retries=0'],
        { cwd, env: { ...process.env, npm_config_userconfig: join(cwd, 'npmrc') } },
      ).catch((error: unknown) => {
        throw new Error(failure(error));
      });
      const access = manifest.name.startsWith('@') ? 'public' : 'default';
      expect(stderr).toContain(`with tag latest and ${access} access (dry-run)`);
      expect(stdout).toContain(`+ ${manifest.name}@${manifest.version}`);
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((request) => !request.startsWith('GET '))).toEqual([]);
    } finally {
      await new Promise((closed) => registry.close(closed));
    }
  });
});

describe('a consumer project installed from the tarballs', () => {
  const consumer = join(work, 'consumer');

  beforeAll(() => {
    // node_modules: every published package from its tarball; everything else (their dependencies and the
    // host tools) linked from the repository's node_modules, which npm installed from the registry.
    const modules = join(consumer, 'node_modules');
    mkdirSync(join(modules, '@swinup'), { recursive: true });
    const ours = new Set([...packed.values()].map(({ manifest }) => manifest.name));
    const installed = join(root, 'node_modules');
    for (const entry of readdirSync(installed)) {
      if (entry.startsWith('.')) continue;
      if (entry === '@swinup') {
        for (const scoped of readdirSync(join(installed, entry))) {
          if (!ours.has(`@swinup/${scoped}`))
            symlinkSync(join(installed, entry, scoped), join(modules, entry, scoped));
        }
      } else if (!ours.has(entry)) {
        symlinkSync(join(installed, entry), join(modules, entry));
      }
    }
    for (const { manifest, tarball } of packed.values()) {
      const target = join(modules, ...manifest.name.split('/'));
      mkdirSync(target);
      execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    }
    writeFileSync(
      join(consumer, 'package.json'),
      '{ "name": "consumer", "private": true, "type": "module" }\n',
    );
  });

  /** Runs tsc in the consumer; diagnostics, one per line. */
  async function typecheck(
    files: Readonly<Record<string, string>>,
    types: readonly string[],
  ): Promise<string[]> {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(consumer, name), text);
    const config = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types,
        strict: true,
        skipLibCheck: false,
        noEmit: true,
      },
      files: Object.keys(files),
    };
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(config));
    const result = await run(join(bin, 'tsc'), ['-p', consumer, '--pretty', 'false'], { cwd: consumer }).then(
      () => ({ stdout: '' }),
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    return result.stdout.split('\n').filter((line) => line.includes(' error TS'));
  }

  it('type-checks, without skipLibCheck, every entry point from ESM and from CommonJS', async () => {
    const diagnostics = await typecheck(
      {
        'esm.mts': [
          "import { createUpscaler, SwinupError, type UpscaleResult } from '@swinup/core';",
          "import { startBridge } from '@swinup/figma';",
          "import esbuild from '@swinup/unplugin/esbuild';",
          "import rollup from '@swinup/unplugin/rollup';",
          "import vite from '@swinup/unplugin/vite';",
          "import webpack from '@swinup/unplugin/webpack';",
          "import hero from './hero.png?upscale';",
          "import heroMeta from './hero.png?upscale&as=meta';",
          '',
          "const upscaler = await createUpscaler({ device: 'cpu' });",
          "const result: UpscaleResult = await upscaler.upscale('photo.png', { scale: 4 });",
          'const error: SwinupError | undefined = undefined;',
          'const width: number = heroMeta.width;',
          'const src: string = hero;',
          'export { error, esbuild, result, rollup, src, startBridge, vite, webpack, width };',
          '',
        ].join('\n'),
        'require.cts': [
          "import core = require('@swinup/core');",
          "import figma = require('@swinup/figma');",
          "import vite = require('@swinup/unplugin/vite');",
          "import webpack = require('@swinup/unplugin/webpack');",
          '',
          "export const upscaler: Promise<core.Upscaler> = core.createUpscaler({ device: 'cpu' });",
          'export const plugins = [vite.default(), webpack.default()];',
          'export const bridge = figma.startBridge;',
          '',
        ].join('\n'),
      },
      ['node', '@swinup/unplugin/client'],
    );
    expect(diagnostics).toEqual([]);
  });

  it('type-checks the entries whose host tools ship types that need skipLibCheck, up to those types', async () => {
    // `@swinup/unplugin` and `/rspack` expose unplugin's own types, which import every bundler unplugin
    // supports (Farm, Rsbuild, Bun, Rolldown…); gatsby's types need React and DOM typings. Errors inside
    // those third-party declarations are not ours: everything else must be clean.
    const diagnostics = await typecheck(
      {
        'hosts.mts': [
          "import unplugin, { parseUpscaleQuery, type UpscaledImageMeta } from '@swinup/unplugin';",
          "import rspack from '@swinup/unplugin/rspack';",
          "import { pluginOptionsSchema } from 'gatsby-transformer-swinup';",
          "import * as gatsbyNode from 'gatsby-transformer-swinup/gatsby-node';",
          "import heroMeta from './hero.png?upscale&as=meta';",
          '',
          'const meta: UpscaledImageMeta = heroMeta;',
          'const back: typeof heroMeta = meta;',
          'export { back, gatsbyNode, parseUpscaleQuery, pluginOptionsSchema, rspack, unplugin };',
          '',
        ].join('\n'),
        'hosts.cts': [
          "import unplugin = require('@swinup/unplugin');",
          "import gatsby = require('gatsby-transformer-swinup');",
          "import gatsbyNode = require('gatsby-transformer-swinup/gatsby-node');",
          '',
          'export = { gatsby, gatsbyNode, plugin: unplugin.default };',
          '',
        ].join('\n'),
      },
      ['node', '@swinup/unplugin/client'],
    );
    const ourPaths = ['node_modules/@swinup/', 'node_modules/gatsby-transformer-swinup/'];
    const thirdParty = (line: string) =>
      line.includes('node_modules/') && !ourPaths.some((p) => line.includes(p));
    expect(diagnostics.filter((line) => !thirdParty(line))).toEqual([]);
    const files = new Set(diagnostics.map((line) => line.slice(0, line.indexOf('('))));
    if (files.size > 0)
      console.info(`third-party declarations with errors without skipLibCheck:\n${[...files].join('\n')}`);
  });

  it('loads every entry point with import() and with require() (require(esm), Node ≥ 20.19)', async () => {
    const entries = [...packed.values()].flatMap(({ manifest }) =>
      Object.entries(manifest.exports ?? {})
        .filter(
          ([subpath, target]) =>
            !subpath.includes('*') && (typeof target !== 'object' || target === null || 'default' in target),
        )
        .map(([subpath]) => `${manifest.name}${subpath.slice(1)}`),
    );
    expect(entries).toEqual(
      expect.arrayContaining([
        '@swinup/core',
        '@swinup/unplugin/vite',
        'gatsby-transformer-swinup/gatsby-node',
      ]),
    );
    const script = [
      "const { createRequire } = require('node:module');",
      "const { pathToFileURL } = require('node:url');",
      "const from = createRequire(pathToFileURL(process.cwd() + '/index.cjs'));",
      `const entries = ${JSON.stringify(entries)};`,
      '(async () => {',
      '  for (const entry of entries) {',
      "    const json = entry.endsWith('.json');",
      "    const imported = await import(entry, json ? { with: { type: 'json' } } : undefined);",
      '    const required = from(entry);',
      "    if (json ? imported.default === undefined : Object.keys(imported).length === 0) throw new Error(entry + ': nothing imported');",
      "    if (!json && Object.keys(required).length === 0) throw new Error(entry + ': nothing required');",
      '  }',
      "  console.log('loaded ' + entries.length);",
      '})();',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--no-warnings', '--input-type=commonjs', '-e', script], {
      cwd: consumer,
    }).catch((error: unknown) => {
      throw new Error(failure(error));
    });
    expect(stdout.trim()).toBe(`loaded ${entries.length}`);
  });

  it('runs the core CLI from the tarball', async () => {
    const cli = join(
      consumer,
      'node_modules/@swinup/core',
      packedOf('packages/core').manifest.bin?.swinup ?? '',
    );
    const { stdout } = await run(process.execPath, [cli, '--help'], { cwd: consumer }).catch(
      (error: unknown) => {
        throw new Error(failure(error));
      },
    );
    expect(stdout).toContain('swinup <images...>');
  });
});
