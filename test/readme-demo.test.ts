import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

/** The README's one-line demo, exactly as documented, with a fresh model cache. */
function readmeDemo(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('npx swinup examples/images/'));
  if (line === undefined) throw new Error('README.md has no `npx swinup examples/images/…` demo line');
  return line;
}

describe('README demo', () => {
  it('upscales the bundled example with the bundled model, offline, on a fresh cache', () => {
    const work = mkdtempSync(join(tmpdir(), 'swinup-demo-'));
    const args = readmeDemo().split(/\s+/).slice(1);
    // Same command from the repository root; only the output goes to a temporary folder.
    const output = join(work, 'chelsea-x4.png');
    args[args.indexOf('-o') + 1] = output;
    const stdout = execFileSync('npx', args, {
      cwd: root,
      env: {
        ...process.env,
        SWINUP_CACHE: join(work, 'cache'),
        npm_config_offline: 'true',
        PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(stdout).toContain(`${output} (448×300, ×4`);
    const png = readFileSync(output);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([448, 300]);
  });
});
