import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COFFEE_VARIANTS, coffeeFiles, coffeeVariants, filesBelow } from './packed/packed-project.js';

const root = resolve(import.meta.dirname, '..');
const site = join(root, 'examples/gatsby-site');
const resultCache = join(site, '.cache/caches/gatsby-transformer-swinup');
// Offline and quiet: no telemetry, no update checks; CI=true gives plain, line-by-line logs.
const env = { ...process.env, GATSBY_TELEMETRY_DISABLED: '1', CI: 'true', NO_COLOR: '1' };
const INFERENCE = /swinup: src\/images\/coffee\.png → \d+×\d+ \w+ in [\d.]+ s/;

/** What a command did: its exit code, plain-text output and the seconds it took. */
interface Run {
  readonly status: number | null;
  readonly output: string;
  readonly seconds: number;
}

/** Runs an npm script or the gatsby CLI in a folder, without blocking the test runner meanwhile. */
function run(cwd: string, command: string, args: string[]): Promise<Run> {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (status) =>
      done({
        status,
        output: stripVTControlCharacters(output),
        seconds: Math.round((performance.now() - started) / 1000),
      }),
    );
  });
}

/** Every file below a folder with its modification time, to tell whether a build wrote anything there. */
function snapshot(dir: string): Record<string, number> {
  return Object.fromEntries(filesBelow(dir).map((file) => [relative(dir, file), statSync(file).mtimeMs]));
}

describe('examples/gatsby-site', () => {
  let cold: Run;

  beforeAll(async () => {
    const clean = await run(site, 'npm', ['run', 'clean']);
    expect(clean.status, clean.output).toBe(0);
    // `gatsby clean` removes the plugin's cache with the rest of .cache, so the next build is cold.
    expect(existsSync(resultCache)).toBe(false);
    cold = await run(site, 'npm', ['run', 'build']);
    console.info(`gatsby-site: cold build ${cold.seconds} s`);
  });

  it('builds the page with the upscaled image variants at the requested widths', async () => {
    expect(cold.status, cold.output).toBe(0);
    expect(cold.output).toMatch(INFERENCE);
    // Through Gatsby's reporter: the model that ran, and the tip naming a better official model to pull.
    expect(cold.output).toMatch(new RegExp(`${INFERENCE.source} \\(swinup-s-x4\\)`));
    expect(cold.output).toMatch(
      /swinup: tip: swinir-lightweight-x4 \(Set5 32\.44 dB vs [\d.]+, [\d.]+ MB\) is available: npx swinup models pull swinir-lightweight-x4\n/,
    );
    const source = await sharp(join(site, 'src/images/coffee.png')).metadata();
    expect(source.width).toBeLessThanOrEqual(256);

    expect(await coffeeVariants(site)).toEqual(COFFEE_VARIANTS);

    const html = readFileSync(join(site, 'public/index.html'), 'utf8');
    for (const file of coffeeFiles(site)) expect(html).toContain(`/${relative(join(site, 'public'), file)}`);
    expect(html).toMatch(/coffee-upscaled\.webp 1024w/);
  });

  it('runs no inference on a second build', async () => {
    const before = snapshot(resultCache);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    const warm = await run(site, 'npm', ['run', 'build']);
    console.info(`gatsby-site: warm build ${warm.seconds} s`);
    expect(warm.status, warm.output).toBe(0);
    expect(warm.output).not.toMatch(INFERENCE);
    expect(snapshot(resultCache)).toEqual(before);
  });
});

// Eager mode fails while sourcing, in the main process; lazy mode while a query runs, in a query worker.
describe.each(['eager', 'lazy'])('a Gatsby site with a corrupt image, %s mode', (mode) => {
  const corrupt = join(root, `test-output/gatsby-corrupt-${mode}`);

  beforeAll(() => {
    rmSync(corrupt, { recursive: true, force: true });
    mkdirSync(join(corrupt, 'src/images'), { recursive: true });
    mkdirSync(join(corrupt, 'src/pages'), { recursive: true });
    writeFileSync(
      join(corrupt, 'package.json'),
      JSON.stringify({ private: true, dependencies: { gatsby: '*' } }),
    );
    writeFileSync(
      join(corrupt, 'gatsby-config.mjs'),
      `export default { plugins: [
        { resolve: 'gatsby-source-filesystem', options: { name: 'images', path: '${join(corrupt, 'src/images')}' } },
        'gatsby-plugin-sharp', 'gatsby-transformer-sharp',
        { resolve: 'gatsby-transformer-swinup', options: { mode: '${mode}' } },
      ] };\n`,
    );
    writeFileSync(
      join(corrupt, 'src/pages/index.jsx'),
      `import { graphql } from 'gatsby';
      export default function Page({ data }) { return data.file.upscaled?.publicURL ?? null; }
      export const query = graphql\`{ file(base: { eq: "broken.png" }) { upscaled(scale: 2) { publicURL } } }\`;\n`,
    );
    // A PNG signature followed by garbage: looks like an image by name and header, decodes as none.
    writeFileSync(
      join(corrupt, 'src/images/broken.png'),
      Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(512, 7)]),
    );
  });

  afterAll(() => rmSync(corrupt, { recursive: true, force: true }));

  it('fails the build with a message that names the image', async () => {
    const build = await run(corrupt, join(root, 'node_modules/.bin/gatsby'), ['build']);
    expect(build.status).not.toBe(0);
    expect(build.output).toMatch(/swinup could not upscale src\/images\/broken\.png: image is damaged/);
  });
});
