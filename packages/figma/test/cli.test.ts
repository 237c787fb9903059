import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(PACKAGE, 'bin/swinup-bridge.js');
const TOKEN = 'cli-test-token-0123456789';

interface Run {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  readonly exit: Promise<number | null>;
}

describe('swinup-bridge CLI', () => {
  let cache: string;

  beforeAll(() => {
    // The binary runs the compiled bridge: compile it from the current sources.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: PACKAGE });
    cache = mkdtempSync(join(tmpdir(), 'swinup-figma-cli-'));
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  function run(args: string[]): Run {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, SWINUP_CACHE: cache } });
    const result: Run = {
      child,
      stdout: '',
      stderr: '',
      exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    };
    child.stdout.on('data', (chunk: Buffer) => {
      result.stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      result.stderr += chunk.toString();
    });
    return result;
  }

  async function listening(bridge: Run): Promise<number> {
    const deadline = Date.now() + 60_000;
    while (!bridge.stdout.includes('Pairing token:')) {
      if (Date.now() > deadline || bridge.child.exitCode !== null)
        throw new Error(`the bridge did not start:\n${bridge.stdout}\n${bridge.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Number(/localhost:(\d+)/.exec(bridge.stdout)?.[1]);
  }

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'prints the pairing token, serves, and stops cleanly on %s',
    async (signal) => {
      const bridge = run(['--port', '0', '--token', TOKEN]);
      const port = await listening(bridge);
      expect(bridge.stdout).toContain(`Pairing token: ${TOKEN}`);
      const health = await fetch(`http://127.0.0.1:${port}/health`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(health.status).toBe(200);
      bridge.child.kill(signal);
      expect(await bridge.exit).toBe(0);
      expect(bridge.stderr).toContain('swinup-bridge stopped');
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    },
  );

  it('makes a random token when none is given', async () => {
    const bridge = run(['--port', '0']);
    await listening(bridge);
    expect(bridge.stdout).toMatch(/Pairing token: [\w-]{24}\n/);
    bridge.child.kill('SIGTERM');
    expect(await bridge.exit).toBe(0);
  });

  it('explains a port in use, a short token and a bad option', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = run(['--port', String((blocker.address() as AddressInfo).port)]);
    expect(await busy.exit).toBe(1);
    expect(busy.stderr).toMatch(/port \d+ is in use; another swinup-bridge may already be running/);
    await new Promise((resolve) => blocker.close(resolve));

    const short = run(['--port', '0', '--token', 'abc']);
    expect(await short.exit).toBe(1);
    expect(short.stderr).toContain('at least 16 characters');

    const bad = run(['--colour', 'red']);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr).toContain('Usage: swinup-bridge [options]');
  });
});
