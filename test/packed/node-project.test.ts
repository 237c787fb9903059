import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommandResult,
  expectSuccess,
  filesBelow,
  installProject,
  packAll,
  pngSize,
  REPO,
  repoVersion,
  run,
  scratchDir,
  userEnv,
} from './packed-project.js';

// A user's project outside the repository with the packed tarballs installed from the npm cache: the CLI,
// the library API (ESM and CommonJS), four bundlers and swinup-bridge, with no SWINUP_MODELS_DIR.
const BIRD = join(REPO, '../shared/images/set5/LR_bicubic/X4/birdx4.png');
const ENTRY = [
  "import bird from './bird.png?upscale';",
  "import meta from './bird.png?upscale&as=meta';",
  'console.log(bird, meta.width, meta.height);',
  '',
].join('\n');

const BUNDLER_FILES: Record<string, string> = {
  'src/main.js': ENTRY,
  'index.html':
    '<!doctype html><html><body><script type="module" src="/src/main.js"></script></body></html>\n',
  'vite.config.mjs': [
    "import swinup from '@swinup/unplugin/vite';",
    "export default { plugins: [swinup()], build: { outDir: 'out/vite' } };",
    '',
  ].join('\n'),
  'rollup.config.mjs': [
    "import swinup from '@swinup/unplugin/rollup';",
    "export default { input: 'src/main.js', output: { dir: 'out/rollup', format: 'es' }, plugins: [swinup()] };",
    '',
  ].join('\n'),
  // CommonJS on purpose: webpack configs often are, and Node ≥ 20.19 require()s the ESM plugin.
  'webpack.build.cjs': [
    "const path = require('node:path');",
    "const webpack = require('webpack');",
    "const swinup = require('@swinup/unplugin/webpack').default;",
    'webpack(',
    "  { mode: 'production', context: __dirname, entry: './src/main.js',",
    "    output: { path: path.join(__dirname, 'out/webpack') }, plugins: [swinup()] },",
    '  (error, stats) => {',
    '    if (error || stats.hasErrors()) { console.error(error ?? stats.toString()); process.exitCode = 1; }',
    '  },',
    ');',
    '',
  ].join('\n'),
  'esbuild.build.mjs': [
    "import { build } from 'esbuild';",
    "import swinup from '@swinup/unplugin/esbuild';",
    "await build({ entryPoints: ['src/main.js'], bundle: true, format: 'esm', outdir: 'out/esbuild', plugins: [swinup()] });",
    '',
  ].join('\n'),
  'library.mjs': [
    "import { createUpscaler } from '@swinup/core';",
    'const upscaler = await createUpscaler();',
    "const { info } = await upscaler.upscale('src/bird.png', { scale: 4 });",
    'console.log(JSON.stringify({ width: info.width, height: info.height, device: upscaler.device }));',
    'await upscaler.close();',
    '',
  ].join('\n'),
  'library.cjs': [
    "const { upscale } = require('@swinup/core');",
    "upscale('src/bird.png', { scale: 4, output: 'library-cjs.png' }).then((r) => console.log(r.info.width));",
    '',
  ].join('\n'),
};

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

describe('packed tarballs in a fresh Node project', () => {
  const scratch = scratchDir('packed-node');
  const project = join(scratch.dir, 'project');
  let cacheEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const tarballs = await packAll(scratch.dir);
    cacheEnv = userEnv({ SWINUP_CACHE: join(scratch.dir, 'swinup-cache') });
    const dependencies = Object.fromEntries(
      ['@swinup/models', '@swinup/core', '@swinup/unplugin', '@swinup/figma'].map((name) => [
        name,
        `file:${tarballs[name]}`,
      ]),
    );
    for (const tool of ['vite', 'webpack', 'rollup', 'esbuild']) dependencies[tool] = repoVersion(tool);
    mkdirSync(join(project, 'src'), { recursive: true });
    copyFileSync(BIRD, join(project, 'src/bird.png'));
    // The documented offline switch for onnxruntime-node's CUDA download, as a user's shell would set it.
    await installProject(project, { name: 'user-project', type: 'module', dependencies }, BUNDLER_FILES, {
      ONNXRUNTIME_NODE_INSTALL: 'skip',
    });
  });

  afterAll(() => scratch.remove());

  const swinup = (...args: string[]): Promise<CommandResult> =>
    run(project, 'npx', ['--offline', 'swinup', ...args], cacheEnv);

  it('has nothing pointing back into the repository', () => {
    const lock = readFileSync(join(project, 'package-lock.json'), 'utf8');
    expect(lock).not.toContain(REPO);
    expect(lock).toContain('"node_modules/@swinup/models"');
  });

  it('CLI: --scale 4 on a 72×72 PNG gives 288×288, with no CUDA warning on a CPU-only machine', async () => {
    const result = expectSuccess(await swinup('src/bird.png', '--scale', '4', '-o', 'cli-x4.png'), 'swinup');
    expect(pngSize(readFileSync(join(project, 'cli-x4.png')))).toEqual([288, 288]);
    expect(result.stderr + result.stdout).not.toMatch(/cuda|warning/i);
  });

  it('CLI: --scale 2 runs the bundled ×2 model alone (no ×4 pass)', async () => {
    const result = expectSuccess(
      await swinup('src/bird.png', '--scale', '2', '-o', 'cli-x2.png', '--json'),
      'swinup --scale 2',
    );
    const [file] = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(file).toMatchObject({ ok: true, width: 144, height: 144, passes: [2], models: ['swinup-s-x2'] });
    expect(pngSize(readFileSync(join(project, 'cli-x2.png')))).toEqual([144, 144]);
  });

  it('CLI: models list, and doctor explains how to get CUDA', async () => {
    const list = expectSuccess(await swinup('models', 'list'), 'swinup models list');
    expect(list.stdout).toMatch(/swinup-s-x4\s+×4\s+sr\s+bundled/);
    const doctor = expectSuccess(await swinup('doctor'), 'swinup doctor');
    expect(doctor.stdout).toContain('node_modules/@swinup/models');
    expect(doctor.stdout).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
  });

  it('library API from ESM and from CommonJS', async () => {
    const esm = expectSuccess(await run(project, 'node', ['library.mjs'], cacheEnv), 'library.mjs');
    expect(JSON.parse(esm.stdout)).toEqual({ width: 288, height: 288, device: 'cpu' });
    const cjs = expectSuccess(await run(project, 'node', ['library.cjs'], cacheEnv), 'library.cjs');
    expect(cjs.stdout.trim()).toBe('288');
    expect(pngSize(readFileSync(join(project, 'library-cjs.png')))).toEqual([288, 288]);
  });

  it.each([
    ['vite', ['npx', '--offline', 'vite', 'build']],
    ['rollup', ['npx', '--offline', 'rollup', '-c', 'rollup.config.mjs']],
    ['webpack', ['node', 'webpack.build.cjs']],
    ['esbuild', ['node', 'esbuild.build.mjs']],
  ])('%s builds and emits the ×4 image the bundle references', async (bundler, [command, ...args]) => {
    expectSuccess(await run(project, command as string, args, cacheEnv), `${bundler} build`);
    const out = join(project, 'out', bundler);
    const files = filesBelow(out);
    const images = files.filter((file) => file.endsWith('.png'));
    expect(images).toHaveLength(1);
    expect(pngSize(readFileSync(images[0] as string))).toEqual([288, 288]);
    const code = files
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(code).toContain((images[0] as string).split('/').at(-1));
  });

  it('swinup-bridge upscales with its token and refuses without it', async () => {
    const token = 'packed-install-token-0123456789';
    const port = await freePort();
    // The installed bin itself (not through npx), so the signal below reaches the server.
    const bin = join(project, 'node_modules/.bin/swinup-bridge');
    const bridge = spawn(bin, ['--port', String(port), '--token', token], {
      cwd: project,
      env: cacheEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      await new Promise<void>((ready, fail) => {
        const onData = (chunk: Buffer) => {
          output += chunk;
          if (output.includes('listening')) ready();
        };
        bridge.stdout.on('data', onData);
        bridge.stderr.on('data', onData);
        bridge.on('exit', (code) => fail(new Error(`swinup-bridge exited ${code}: ${output}`)));
      });
      const body = readFileSync(join(project, 'src/bird.png'));
      const refused = await fetch(`http://127.0.0.1:${port}/upscale?scale=4`, { method: 'POST', body });
      expect(refused.status).toBe(401);
      const answer = await fetch(`http://127.0.0.1:${port}/upscale?scale=4`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body,
      });
      expect(answer.status).toBe(200);
      expect(pngSize(Buffer.from(await answer.arrayBuffer()))).toEqual([288, 288]);
      expect(output).not.toMatch(/cuda|warning/i);
    } finally {
      bridge.kill('SIGTERM');
    }
  });
});
