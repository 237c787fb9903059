import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpscaleStats } from './index.js';
import { tempDir, writeProject } from './test-support/bundlers.js';
import { imageHeader, patternPng } from './test-support/images.js';
import swinupVite from './vite.js';

let root: string;
let cleanup: () => Promise<void>;
let server: ViteDevServer;
let origin: string;
const results: string[] = [];
const logged: string[] = [];
let stats: UpscaleStats | undefined;
const previousCache = process.env.SWINUP_CACHE;

beforeAll(async () => {
  [root, cleanup] = await tempDir('dev');
  process.env.SWINUP_CACHE = join(root, 'models');
  await writeProject(root, {
    'index.html': '<script type="module" src="/src/entry.js"></script>\n',
    'src/entry.js': `import hero from './hero.png?upscale';\ndocument.body.append(hero);\n`,
    'src/hero.png': patternPng(32, 16),
  });
  server = await createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    server: { port: 0, host: '127.0.0.1' },
    plugins: [
      swinupVite({
        cacheDir: join(root, 'results'),
        logger: { debug: () => {}, info: (m) => logged.push(m), warn: (m) => logged.push(m) },
        onResult: ({ file }) => results.push(file),
        onStats: (s) => {
          stats = s;
        },
      }),
    ],
  });
  await server.listen();
  origin = server.resolvedUrls?.local[0] as string;
});

afterAll(async () => {
  process.env.SWINUP_CACHE = previousCache;
  await cleanup();
});

describe('Vite dev server', () => {
  it('starts without upscaling anything', () => {
    expect(results).toEqual([]);
    expect(logged).toEqual([]);
  });

  it('answers the image module at once and serves the upscaled image when it is ready', async () => {
    const module = await (await fetch(new URL('src/hero.png?upscale&import', origin))).text();
    const url = /export default "([^"]+)"/.exec(module)?.[1] as string;
    expect(url).toMatch(/^\/@swinup\/[0-9a-f]{16}\/hero\.png$/);
    // The module did not wait for the model: loading it alone takes longer than answering.
    expect(results).toEqual([]);

    const response = await fetch(new URL(url, origin));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(imageHeader(Buffer.from(await response.arrayBuffer()))).toEqual({
      format: 'png',
      width: 128,
      height: 64,
    });
    expect(logged.some((line) => line.includes('src/hero.png → 128×64 png'))).toBe(true);
  });

  it('frees the upscaler when the server closes', async () => {
    await server.close();
    expect(stats).toEqual({ inferences: 1, cacheHits: 0 });
  });
});
