import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameOrigins, startUpscaleServer, type UpscaleServer } from './upscale-server.js';

const work = mkdtempSync(join(tmpdir(), 'swinup-server-'));
const page = join(work, 'page');
let server: UpscaleServer;

beforeAll(async () => {
  mkdirSync(page);
  writeFileSync(join(page, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(work, 'secret.html'), 'not to be served');
  server = await startUpscaleServer({
    port: 0,
    version: '9.9.9',
    wording: {
      noun: 'the test server',
      program: 'test-server',
      originRule: 'the test server; only its page may',
    },
    allowedOrigins: sameOrigins,
    staticDir: page,
    upscaler: { cacheDir: join(work, 'cache') },
  });
});

afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** A raw request, so paths and headers reach the server exactly as written. */
function raw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startUpscaleServer', () => {
  it('serves its page without the token, and nothing outside the page folder', async () => {
    expect(await raw('/')).toMatchObject({ status: 200, body: expect.stringContaining('<title>page') });
    expect((await raw('/../secret.html')).status).toBe(401);
    expect((await raw('/%2e%2e/secret.html')).status).toBe(401);
    expect((await raw('/missing.html')).status).toBe(401);
  });

  it('allows its own origin and names itself in refusals', async () => {
    const own = await raw('/health', { Origin: `http://localhost:${server.port}` });
    expect(own.status).toBe(401);
    expect(JSON.parse(own.body).error.message).toContain('send the token test-server printed');
    const foreign = await raw('/health', { Origin: 'http://127.0.0.1:1' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.message).toBe(
      'origin http://127.0.0.1:1 may not use the test server; only its page may',
    );
  });

  it('answers the API with the token', async () => {
    const health = await raw('/health', { Authorization: `Bearer ${server.token}` });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ ok: true, version: '9.9.9' });
  });
});
