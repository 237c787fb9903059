import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { type CorpusFile, writeCorpus } from './corrupt-corpus-files.js';

const root = resolve(import.meta.dirname, '..');
const CLI = join(root, 'packages/core/bin/swinup.js');
const SET5 = resolve(root, '../shared/images/set5/LR_bicubic/X4');
const GOOD = ['butterflyx4.png', 'headx4.png', 'womanx4.png', 'birdx4.png'];
const BATCH_SIZE = 60;
/** Far above the good images' ×4 pass (at most 288×288), far below every bomb and lying header. */
const MAX_PIXELS = 300_000;
/** A batch that runs longer than this is taken as hung and killed. */
const BATCH_TIMEOUT_MS = 120_000;
/** Codes a damaged or hostile input may fail with; anything else is an unexpected failure. */
const INPUT_CODES = ['INVALID_IMAGE', 'IMAGE_TOO_LARGE'];

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly hung: boolean;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, BATCH_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, hung });
    });
  });
}

type FileRecord =
  | { input: string; ok: true; output: string; width: number; height: number }
  | { input: string; ok: false; code: string; error: string };

/** Deterministic shuffle, then batches of about BATCH_SIZE with the good set5 copies spread over them. */
function batchesOf(corpus: readonly CorpusFile[]): CorpusFile[][] {
  const good = corpus.filter((f) => f.kind === 'good');
  const rest = corpus
    .filter((f) => f.kind !== 'good')
    .map((file, i) => ({ file, key: (i * 2_654_435_761) % 4_294_967_291 }))
    .sort((a, b) => a.key - b.key)
    .map(({ file }) => file);
  const count = Math.ceil(rest.length / BATCH_SIZE);
  return Array.from({ length: count }, (_, b) => [
    ...rest.slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE),
    ...good.filter((_, g) => g % count === b),
  ]);
}

describe('the CLI over a corpus of corrupt inputs', () => {
  const work = mkdtempSync(join(tmpdir(), 'swinup-corpus-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('reports every bad file by name, upscales the good ones, and leaves nothing behind', async () => {
    const inputs = join(work, 'in');
    const goodImages = [...GOOD, ...GOOD, ...GOOD].map((name) => join(SET5, name));
    const corpus = await writeCorpus(inputs, goodImages);
    const corrupt = corpus.filter((f) => !f.good).length;
    expect(corrupt).toBeGreaterThanOrEqual(300);
    const inputsBefore = readdirSync(inputs).sort();
    const env = { ...process.env, SWINUP_CACHE: join(work, 'cache'), SWINUP_DEVICE: 'cpu' };
    const totals = { files: 0, failures: 0, crashes: 0, hangs: 0, leftovers: 0 };
    const codes = new Map<string, number>();
    const byKind = new Map<string, { files: number; failed: number }>();
    const started = performance.now();
    for (const [b, batch] of batchesOf(corpus).entries()) {
      const out = join(work, `out-${b}`);
      const args = [...batch.map((f) => f.path), '-o', `${out}/`, '--scale', '2', '--json'];
      const run = await runCli([...args, '--max-pixels', String(MAX_PIXELS)], env);
      const where = `batch ${b}`;
      totals.files += batch.length;
      if (run.hung) totals.hangs++;
      expect(run.hung, `${where} hung`).toBe(false);
      // Exit 1 is "some failed"; a crash would be another code, a signal, or no summary.
      if (run.code !== 1) totals.crashes++;
      expect([run.code, run.signal], `${where}: ${run.stderr.slice(-2000)}`).toEqual([1, null]);
      expect(run.stderr, where).not.toMatch(/^\s+at |Uncaught|FATAL|Segmentation/m);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const summary = lines.pop() as { summary: { upscaled: number; failed: number } };
      const records = lines as FileRecord[];
      expect(summary.summary.upscaled + summary.summary.failed, where).toBe(batch.length);
      expect(records.map((r) => r.input).sort(), where).toEqual(batch.map((f) => f.path).sort());
      const outputs = new Set<string>();
      for (const record of records) {
        const file = batch.find((f) => f.path === record.input) as CorpusFile;
        const kind = byKind.get(file.kind) ?? { files: 0, failed: 0 };
        byKind.set(file.kind, { files: kind.files + 1, failed: kind.failed + (record.ok ? 0 : 1) });
        if (!record.ok) {
          totals.failures++;
          codes.set(record.code, (codes.get(record.code) ?? 0) + 1);
          if (!INPUT_CODES.includes(record.code)) totals.crashes++;
          expect(file.good, `${record.input} failed: ${record.error}`).toBe(false);
          expect(record.error.startsWith(`${record.input}: `), record.error).toBe(true);
          expect(INPUT_CODES, `${record.input} (${file.kind}): ${record.error}`).toContain(record.code);
          continue;
        }
        outputs.add(basename(record.output));
        const meta = await sharp(record.output).metadata();
        expect([meta.width, meta.height], record.output).toEqual([record.width, record.height]);
        if (file.kind === 'good') {
          const source = await sharp(file.path).metadata();
          expect([record.width, record.height]).toEqual([2 * (source.width ?? 0), 2 * (source.height ?? 0)]);
        }
      }
      // Only finished outputs of files that succeeded: no temporaries, no partial files of failed ones.
      const extra = existsSync(out) ? readdirSync(out).filter((name) => !outputs.has(name)) : [];
      totals.leftovers += extra.length;
      expect(extra, `${where}: left in the output folder`).toEqual([]);
    }
    const leftBeside = readdirSync(inputs).filter((name) => !inputsBefore.includes(name));
    totals.leftovers += leftBeside.length;
    expect(leftBeside, 'left beside the inputs').toEqual([]);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `corrupt corpus: ${totals.files} files (${corrupt} corrupt), ${totals.failures} failures ` +
        `(${[...codes].map(([code, n]) => `${code} ${n}`).join(', ')}), crashes ${totals.crashes}, ` +
        `hangs ${totals.hangs}, leftovers ${totals.leftovers}, ${seconds} s; failed/files by kind: ` +
        [...byKind].map(([kind, n]) => `${kind} ${n.failed}/${n.files}`).join(', '),
    );
    expect(totals).toMatchObject({ crashes: 0, hangs: 0, leftovers: 0 });
  });
});
