import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import sharp from 'sharp';

/** The repository root. */
export const REPO = resolve(import.meta.dirname, '../..');

/** The publishable packages: npm name → folder in the repository. */
export const PACKAGES: Readonly<Record<string, string>> = {
  '@swinup/models': 'models',
  '@swinup/core': 'packages/core',
  '@swinup/unplugin': 'packages/unplugin',
  '@swinup/figma': 'packages/figma',
  'gatsby-transformer-swinup': 'packages/gatsby-transformer',
};

/** What a command did: exit code, plain-text stdout and stderr, and the seconds it took. */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/**
 * The environment a user's shell has: the test runner's own `npm_*` variables (which point npm at this
 * repository) and swinup's overrides are removed, so nothing leads back into the monorepo.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|SWINUP_|NODE_PATH$|VITEST|TURBO_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command without blocking the test runner; never throws for a non-zero exit. */
export function run(
  cwd: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = userEnv(),
): Promise<CommandResult> {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (status) =>
      done({
        status,
        stdout: stripVTControlCharacters(stdout),
        stderr: stripVTControlCharacters(stderr),
        seconds: Math.round((performance.now() - started) / 100) / 10,
      }),
    );
  });
}

/** Fails with the command's output unless it exited 0. */
export function expectSuccess(result: CommandResult, what: string): CommandResult {
  if (result.status !== 0) {
    throw new Error(
      `${what} exited ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}

/** A folder outside the repository, removed by `remove`. */
export function scratchDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `swinup-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `npm pack`s every publishable package (as built by `npm install`) into `dir`; npm name → tarball path. */
export async function packAll(dir: string): Promise<Record<string, string>> {
  const tarballs: Record<string, string> = {};
  for (const [name, folder] of Object.entries(PACKAGES)) {
    const packed = expectSuccess(
      await run(join(REPO, folder), 'npm', ['pack', '--json', '--pack-destination', dir], userEnv()),
      `npm pack ${name}`,
    );
    const [info] = JSON.parse(packed.stdout) as [{ filename: string }];
    tarballs[name] = join(dir, info.filename);
  }
  return tarballs;
}

/** The version of a package installed in the repository, so a fresh project gets one the npm cache holds. */
export function repoVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/**
 * Writes a fresh project (package.json plus `files`) and installs it as a user
 * would with the tarballs: `npm install --offline`. Prints how long the install took.
 */
export async function installProject(
  dir: string,
  manifest: Record<string, unknown>,
  files: Record<string, string | Buffer> = {},
  env: Record<string, string> = {},
): Promise<CommandResult> {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, ...manifest }, null, 2)}\n`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const installed = expectSuccess(
    await run(
      dir,
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      userEnv(env),
    ),
    `npm install in ${dir}`,
  );
  console.info(`packed install: ${dir} installed in ${installed.seconds} s`);
  return installed;
}

/** Every file below a folder, by absolute path. */
export function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * What the example Gatsby site's page asks for: gatsbyImageData(width: 1024) in PNG and WebP, so 1024 px
 * itself and its ¼ and ½ breakpoints (see {@link coffeeVariants}).
 */
export const COFFEE_VARIANTS = ['png 1024', 'png 256', 'png 512', 'webp 1024', 'webp 256', 'webp 512'];

/** The example Gatsby site's upscaled image files after a build. */
export function coffeeFiles(site: string): string[] {
  return filesBelow(join(site, 'public/static')).filter((f) => /coffee-upscaled\.\w+$/.test(f));
}

/**
 * The example Gatsby site's upscaled image files after a build, as sorted `format width` strings (e.g.
 * `webp 512`).
 */
export async function coffeeVariants(site: string): Promise<string[]> {
  const sizes = await Promise.all(
    coffeeFiles(site).map(async (file) => {
      const { format, width } = await sharp(file).metadata();
      return `${format} ${width}`;
    }),
  );
  return sizes.sort();
}

/** Width and height of a PNG file, read from its header. */
export function pngSize(bytes: Buffer): [number, number] {
  if (bytes.toString('latin1', 1, 4) !== 'PNG') throw new Error('not a PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}
