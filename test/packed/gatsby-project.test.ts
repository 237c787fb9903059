import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COFFEE_VARIANTS,
  coffeeVariants,
  expectSuccess,
  installProject,
  packAll,
  REPO,
  repoVersion,
  run,
  scratchDir,
  userEnv,
} from './packed-project.js';

// A Gatsby 5 site outside the repository, with gatsby-transformer-swinup and its core installed from the
// packed tarballs and the sharp override the transformer's README documents.
const EXAMPLE = join(REPO, 'examples/gatsby-site');
const GATSBY_PACKAGES = [
  'gatsby',
  'gatsby-plugin-image',
  'gatsby-plugin-sharp',
  'gatsby-source-filesystem',
  'gatsby-transformer-sharp',
  'react',
  'react-dom',
];

describe('packed tarballs in a fresh Gatsby 5 site', () => {
  const scratch = scratchDir('packed-gatsby');
  const site = join(scratch.dir, 'site');

  beforeAll(async () => {
    const tarballs = await packAll(scratch.dir);
    const dependencies: Record<string, string> = Object.fromEntries(
      GATSBY_PACKAGES.map((name) => [name, repoVersion(name)]),
    );
    for (const name of ['@swinup/models', '@swinup/core', 'gatsby-transformer-swinup']) {
      dependencies[name] = `file:${tarballs[name]}`;
    }
    mkdirSync(join(site, 'src/images'), { recursive: true });
    mkdirSync(join(site, 'src/pages'), { recursive: true });
    copyFileSync(join(EXAMPLE, 'src/images/coffee.png'), join(site, 'src/images/coffee.png'));
    await installProject(
      site,
      {
        name: 'user-gatsby-site',
        dependencies,
        overrides: { sharp: repoVersion('sharp') },
        // npm's own switch for install scripts: onnxruntime-node's CUDA download stays off, offline.
        allowScripts: { 'onnxruntime-node': false },
      },
      {
        'gatsby-config.mjs': readFileSync(join(EXAMPLE, 'gatsby-config.mjs'), 'utf8'),
        'src/pages/index.jsx': readFileSync(join(EXAMPLE, 'src/pages/index.jsx'), 'utf8'),
      },
    );
  });

  afterAll(() => scratch.remove());

  it('gatsby build emits the ×4 upscaled image at the widths the page asks for', async () => {
    const env = userEnv({
      GATSBY_TELEMETRY_DISABLED: '1',
      CI: 'true',
      SWINUP_CACHE: join(scratch.dir, 'swinup-cache'),
    });
    const build = expectSuccess(
      await run(site, 'npx', ['--offline', 'gatsby', 'build'], env),
      'gatsby build',
    );
    console.info(`packed gatsby build: ${build.seconds} s`);
    expect(build.stdout + build.stderr).not.toMatch(/cuda/i);
    expect(await coffeeVariants(site)).toEqual(COFFEE_VARIANTS);
    const html = readFileSync(join(site, 'public/index.html'), 'utf8');
    expect(html).toContain('coffee-upscaled');
  });
});
