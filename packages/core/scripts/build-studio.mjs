// @ts-check
/**
 * Builds the swinup studio page into dist/studio/: studio.js (the page's script with fflate, one ES module)
 * beside index.html and studio.css, which `swinup studio` serves.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const source = new URL('src/studio-page/', root);
const out = new URL('dist/studio/', root);

await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL('studio.ts', source).pathname],
  outfile: new URL('studio.js', out).pathname,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  logLevel: 'warning',
  legalComments: 'none',
});
for (const file of ['index.html', 'studio.css']) await copyFile(new URL(file, source), new URL(file, out));
