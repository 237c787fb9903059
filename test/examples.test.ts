import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

/** Builds an example app with its own `npm run build`, as a user would. */
function build(example: string): string {
  const dir = join(root, 'examples', example);
  execFileSync('npm', ['run', 'build'], {
    cwd: dir,
    stdio: 'pipe',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  return join(dir, 'dist');
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe.each(['vite-app', 'webpack-app'])('examples/%s', (example) => {
  it('builds, emitting the ×4 upscaled image that the bundle references', async () => {
    const source = await sharp(join(root, 'examples', example, 'src/assets/lighthouse.png')).metadata();
    const files = filesBelow(build(example));
    const upscaled = files.filter((f) => f.endsWith('.webp'));
    expect(upscaled).toHaveLength(1);
    const meta = await sharp(upscaled[0] as string).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual([
      'webp',
      (source.width as number) * 4,
      (source.height as number) * 4,
    ]);
    const bundle = files
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(bundle).toContain((upscaled[0] as string).split('/').at(-1));
  });
});
