import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSuccess, packAll, pngSize, REPO, run, scratchDir, userEnv } from './packed-project.js';

// pnpm's isolated layout: @swinup/models is reachable only from @swinup/core's own node_modules, so the
// catalog must be found by resolving from core's location, not from the project root.
const PNPM = join(REPO, 'node_modules/.bin/pnpm');
const BIRD = join(REPO, '../shared/images/set5/LR_bicubic/X4/birdx4.png');

describe('packed tarballs in a fresh pnpm project', () => {
  const scratch = scratchDir('packed-pnpm');
  const project = join(scratch.dir, 'project');
  const env = userEnv({ SWINUP_CACHE: join(scratch.dir, 'swinup-cache') });

  beforeAll(async () => {
    if (!existsSync(PNPM))
      throw new Error(`pnpm is missing at ${PNPM}: run npm install at the repository root`);
    const tarballs = await packAll(scratch.dir);
    mkdirSync(project);
    copyFileSync(BIRD, join(project, 'bird.png'));
    const manifest = {
      name: 'user-pnpm-project',
      private: true,
      type: 'module',
      dependencies: { '@swinup/core': `file:${tarballs['@swinup/core']}` },
      // The unpublished models package comes from its tarball wherever core asks for it.
      pnpm: { overrides: { '@swinup/models': `file:${tarballs['@swinup/models']}` } },
    };
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    const installed = expectSuccess(
      await run(project, PNPM, ['install', '--prefer-offline', '--reporter=append-only'], env),
      'pnpm install',
    );
    console.info(`packed install (pnpm): ${installed.seconds} s`);
  });

  afterAll(() => scratch.remove());

  it('keeps @swinup/models out of the project root, inside the pnpm store', () => {
    expect(existsSync(join(project, 'node_modules/.pnpm'))).toBe(true);
    expect(existsSync(join(project, 'node_modules/@swinup/models'))).toBe(false);
  });

  it('CLI: --scale 4 on a 72×72 PNG gives 288×288 with the bundled model', async () => {
    const bin = join(project, 'node_modules/.bin/swinup');
    const result = expectSuccess(
      await run(project, bin, ['bird.png', '--scale', '4', '-o', 'out.png'], env),
      'swinup',
    );
    expect(result.stderr).toContain('model swinup-s-x4 on cpu');
    expect(pngSize(readFileSync(join(project, 'out.png')))).toEqual([288, 288]);
  });
});
