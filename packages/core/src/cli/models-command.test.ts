import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sharedPath } from '../test-support/shared-data.js';
import type { CommandIO } from './command-io.js';
import { main } from './main.js';

const FILE = 'lightweight_x2.pth';
const fixture = readFileSync(sharedPath('fixtures/swinir', FILE));

interface Captured extends CommandIO {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly drawn: string[];
}

function captureIO(interactive = false): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const drawn: string[] = [];
  return {
    stdout,
    stderr,
    drawn,
    interactive,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    progress: (line) => drawn.push(line),
  };
}

async function run(argv: string[], io = captureIO()): Promise<Captured & { code: number }> {
  const code = await main(argv, io);
  return Object.assign(io, { code });
}

const root = mkdtempSync(join(tmpdir(), 'swinup-models-cli-'));
let server: Server;
let base: string;

beforeAll(async () => {
  // Serves the fixture under its own name only, so any other path is a 404.
  server = createServer((request, response) => {
    if (request.url === `/${FILE}`)
      response.writeHead(200, { 'content-length': fixture.length }).end(fixture);
    else response.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const modelsDir = join(root, 'catalog');
  mkdirSync(modelsDir);
  const entry = {
    id: 'test-x2',
    title: 'test ×2',
    task: 'sr',
    scale: 2,
    arch: { window_size: 8, in_chans: 3 },
    imgRange: 1,
    source: { kind: 'url', url: `https://example.invalid/v0.0/${FILE}`, file: FILE },
    size: fixture.length,
    sha256: createHash('sha256').update(fixture).digest('hex'),
    sha256Source: 'test',
    stateDictKey: 'params',
    license: 'Apache-2.0',
    published: null,
  };
  writeFileSync(
    join(modelsDir, 'catalog.json'),
    JSON.stringify({ schema: 1, defaults: {}, models: [entry] }),
  );
  vi.stubEnv('SWINUP_MODELS_DIR', modelsDir);
});

beforeEach(() => {
  vi.stubEnv('SWINUP_CACHE', mkdtempSync(join(root, 'cache-')));
  vi.stubEnv('SWINUP_MODELS_BASE_URL', base);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise((done) => server.close(done));
  rmSync(root, { recursive: true, force: true });
});

describe('swinup models', () => {
  it('prints help and rejects bad usage with exit code 2', async () => {
    const help = await run(['models', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.join('\n')).toContain('swinup models <list|pull|import|verify|rm>');
    expect((await run(['models'])).code).toBe(2);
    expect((await run(['models', 'frobnicate'])).code).toBe(2);
    expect((await run(['models', 'pull'])).code).toBe(2);
    const misplaced = await run(['models', 'pull', 'test-x2', '--json']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr.join('\n')).toContain('--json is an option of `swinup models list`');
  });

  it('pulls with quiet lines when not on a terminal, then lists the model as installed', async () => {
    const before = await run(['models', 'list', '--json']);
    expect(JSON.parse(before.stdout[0] as string)).toEqual([
      expect.objectContaining({ id: 'test-x2', installed: false, scale: 2, task: 'sr' }),
    ]);
    const pulled = await run(['models', 'pull', 'test-x2']);
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toEqual([`downloading test-x2 from ${base}/${FILE}`]);
    expect(pulled.stdout).toEqual([
      expect.stringMatching(/^pulled test-x2 → .* \(17\.1 MB, SHA-256 verified\)$/),
    ]);
    expect(pulled.drawn).toEqual([]);
    const listed = await run(['models', 'list']);
    expect(listed.stdout.slice(0, 2)).toEqual([
      'ID       SCALE  TASK     INSTALLED  SIZE',
      'test-x2  ×2     sr       yes        17.1 MB',
    ]);
    expect(listed.stdout.at(-1)).toBe(`cache: ${process.env.SWINUP_CACHE}`);
    expect((await run(['models', 'pull', 'test-x2'])).stdout[0]).toContain('already installed');
  });

  it('draws a progress bar on a terminal and clears it', async () => {
    const pulled = await run(['models', 'pull', 'test-x2'], captureIO(true));
    expect(pulled.code).toBe(0);
    expect(pulled.drawn).toContain(`test-x2 [${'█'.repeat(24)}] 100% 17.1/17.1 MB`);
    expect(pulled.drawn.at(-1)).toBe('');
    expect(pulled.stderr).toEqual([]);
  });

  it('fails with exit code 1 and a useful message when the download fails', async () => {
    vi.stubEnv('SWINUP_MODELS_BASE_URL', `${base}/nowhere`);
    const failed = await run(['models', 'pull', 'test-x2']);
    expect(failed.code).toBe(1);
    const message = failed.stderr.at(-1) as string;
    expect(message).toContain(`${base}/nowhere/${FILE}`);
    expect(message).toContain('swinup models import <file> --id test-x2');
    const unknown = await run(['models', 'pull', 'no-such-model']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.join('\n')).toContain('unknown model "no-such-model"');
  });

  it('imports, verifies and removes a checkpoint', async () => {
    const file = sharedPath('fixtures/swinir/classical_x3_small.pth');
    const imported = await run(['models', 'import', file, '--id', 'mine']);
    expect(imported.code).toBe(0);
    expect(imported.stdout[0]).toMatch(
      /^imported .* as mine → .*classical_x3_small\.pth \(×3 sr, 3\.1 MB\)$/,
    );
    const verified = await run(['models', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toEqual(['ok      mine (SHA-256 verified)']);
    const checkpoint = join(process.env.SWINUP_CACHE as string, 'models', 'mine', 'classical_x3_small.pth');
    writeFileSync(checkpoint, 'damaged');
    const damaged = await run(['models', 'verify', 'mine']);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout[0]).toMatch(/^FAILED {2}mine: SHA-256 is [0-9a-f]{64}, expected/);
    expect((await run(['models', 'rm', 'mine'])).stdout[0]).toMatch(/^removed mine/);
    expect((await run(['models', 'verify'])).stdout).toEqual(['no models are installed']);
    const notCheckpoint = join(root, 'readme.pth');
    writeFileSync(notCheckpoint, 'hello');
    const refused = await run(['models', 'import', notCheckpoint]);
    expect(refused.code).toBe(1);
    expect(refused.stderr[0]).toContain(`${notCheckpoint}: not a SwinIR checkpoint`);
  });
});
