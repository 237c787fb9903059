// @ts-check
/**
 * Bundles the Figma plugin into dist/plugin/: code.js (main code, one script for Figma's sandbox) and
 * ui.html (the UI with its script inline, since Figma loads the UI from a single HTML string).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const out = new URL('dist/plugin/', root);

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  format: 'iife',
  // Figma's sandbox and plugin iframes run modern JavaScript; ES2020 is what Figma documents.
  target: 'es2020',
  platform: 'browser',
  logLevel: 'warning',
  legalComments: 'none',
};

await mkdir(out, { recursive: true });
await build({
  ...common,
  entryPoints: [new URL('src/plugin/code.ts', root).pathname],
  outfile: new URL('code.js', out).pathname,
});
const ui = await build({ ...common, entryPoints: [new URL('src/ui/ui.ts', root).pathname], write: false });
const script = ui.outputFiles[0]?.text ?? '';
const template = await readFile(new URL('src/ui/ui.html', root), 'utf8');
if (!template.includes('<!-- ui.js -->')) throw new Error('src/ui/ui.html lost its <!-- ui.js --> marker');
// A function replacement, so `$&` and friends in the script are not read as patterns.
const html = template.replace(
  '<!-- ui.js -->',
  () => `<script>\n${script.replaceAll('</script', '<\\/script')}</script>`,
);
await writeFile(new URL('ui.html', out), html);
