import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../package-info.js';
import { temporaryFolder } from '../test-support/fixture-images.js';
import { sharedPath } from '../test-support/shared-data.js';
import { openInBrowser } from './studio-command.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'swinup.js');
const work = temporaryFolder('studio');
let studio: ChildProcess;
let base: string;
let token: string;
let printed = '';

/** Starts the built CLI as a user would, and waits for the address it prints. */
beforeAll(async () => {
  studio = spawn(process.execPath, [BIN, 'studio', '--no-open', '--port', '0'], {
    env: { ...process.env, SWINUP_CACHE: join(work, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  studio.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const address = await new Promise<string>((resolve, reject) => {
    studio.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)\/#token=([\w-]+)/.exec(printed);
      if (match !== null) resolve(match[0]);
    });
    studio.on('exit', (code) => reject(new Error(`swinup studio exited with ${code}: ${stderr}`)));
  });
  const match = /(http:\/\/127\.0\.0\.1:\d+)\/#token=([\w-]+)/.exec(address) as RegExpExecArray;
  base = match[1] as string;
  token = match[2] as string;
});

afterAll(async () => {
  if (studio.exitCode === null) {
    const exited = new Promise((resolve) => studio.once('exit', resolve));
    studio.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

const bird = () => readFileSync(sharedPath('images/set5/LR_bicubic/X4/birdx4.png'));

describe('swinup studio', () => {
  it('prints the page address with its token', () => {
    expect(printed).toMatch(/Open http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{16,}/);
    expect(token.length).toBeGreaterThanOrEqual(16);
  });

  it('serves the page without the token, with a policy that keeps it to its own server', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(await response.text()).toContain('<input id="files" type="file"');
    expect((await fetch(`${base}/studio.js`)).status).toBe(200);
    expect((await fetch(`${base}/../package.json`)).status).toBe(401);
  });

  it('refuses /upscale without the token (401)', async () => {
    const response = await fetch(`${base}/upscale?scale=4`, { method: 'POST', body: bird() });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a foreign origin even with the token (403)', async () => {
    const response = await fetch(`${base}/upscale?scale=4`, {
      method: 'POST',
      body: bird(),
      headers: { Authorization: `Bearer ${token}`, Origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('FORBIDDEN_ORIGIN');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    // The page itself is refused to other origins too.
    expect((await fetch(`${base}/`, { headers: { Origin: 'https://evil.example' } })).status).toBe(403);
  });

  it('refuses a foreign Host (DNS rebinding) for the page and the API', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/`, { headers: { Host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('upscales ×4 with the token from its own page origin: a 288×288 PNG', async () => {
    const response = await fetch(`${base}/upscale?scale=4`, {
      method: 'POST',
      body: bird(),
      headers: { Authorization: `Bearer ${token}`, Origin: base },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 288, height: 288 });
  });
});

describe('openInBrowser', () => {
  it('does not fail on a machine without a browser opener', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(work, 'no-such-bin');
    try {
      expect(() => openInBrowser('http://127.0.0.1:1/#token=x')).not.toThrow();
      // The spawn failure arrives as an event a moment later; it must not crash the process.
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.env.PATH = path;
    }
  });
});
