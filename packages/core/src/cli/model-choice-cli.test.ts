import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useModelChoice } from '../test-support/model-choice-fixture.js';
import { filesUnder } from '../test-support/model-store-fixture.js';
import type { CommandIO } from './command-io.js';
import { main } from './main.js';

const store = useModelChoice();
let image: string;
beforeAll(async () => {
  image = join(store.modelsDir, 'small.png');
  await sharp({ create: { width: 16, height: 16, channels: 3, background: '#40a0e0' } })
    .png()
    .toFile(image);
});

async function run(argv: string[], interactive = false, onDrawn: (line: string) => void = () => {}) {
  const err: string[] = [];
  const drawn: string[] = [];
  const progress = (line: string) => {
    drawn.push(line);
    onDrawn(line);
  };
  const io: CommandIO = { out() {}, err: (l) => err.push(l), progress, interactive };
  const code = await main([image, '-o', join(store.cacheDir, 'out.png'), '--overwrite', ...argv], io);
  return { code, err, drawn };
}

const TIP =
  'swinup: tip: test-official-x4 (Set5 32.44 dB vs 30.22, 3.0 MB) is available: npx swinup models pull test-official-x4';

describe('swinup <image> and the model choice', () => {
  it.each([[[]], [['--verbose']]])('prints the tip once, after the model line (%j)', async (flags) => {
    const { code, err } = await run(flags);
    expect(code).toBe(0);
    const model = err.indexOf('swinup: model test-s-x4 on cpu');
    expect(model).toBeGreaterThanOrEqual(0);
    expect(err[model + 1]).toBe(TIP);
    expect(err.filter((l) => l.includes('tip:'))).toHaveLength(1);
    // --verbose adds the device notes, which may name CUDA; nothing else may.
    const notes = err.filter((l) => !l.startsWith('swinup: inference runs on'));
    expect(notes.join('\n')).not.toMatch(/warning|cuda/i);
  });

  it('pulls a --model that is not installed, with a line off a terminal, once', async () => {
    const first = await run(['--model', 'test-official-x4']);
    expect(first.code).toBe(0);
    expect(first.err.slice(0, 2)).toEqual([
      `swinup: downloading test-official-x4 from ${store.base}/classical_x4_small.pth`,
      'swinup: model test-official-x4 on cpu',
    ]);
    expect(first.err.join('\n')).not.toContain('tip:');
    const second = await run(['--model', 'test-official-x4']);
    expect(second.err[0]).toBe('swinup: model test-official-x4 on cpu');
    expect(store.requests).toHaveLength(1);
  });

  it('draws the download as a progress bar on a terminal and clears it', async () => {
    const { code, drawn, err } = await run(['--model', 'test-official-x4'], true);
    expect(code).toBe(0);
    expect(drawn).toContain(`test-official-x4 [${'█'.repeat(24)}] 100% 3.0/3.0 MB`);
    expect(drawn.indexOf('')).toBeGreaterThan(
      drawn.indexOf(`test-official-x4 [${'█'.repeat(24)}] 100% 3.0/3.0 MB`),
    );
    expect(err[0]).toBe('swinup: model test-official-x4 on cpu');
  });

  it.each([
    ['--offline', ['--offline'], ''],
    ['SWINUP_OFFLINE=1', [], '1'],
  ])('refuses to download with %s', async (_, flags, env) => {
    vi.stubEnv('SWINUP_OFFLINE', env);
    const { code, err } = await run(['--model', 'test-official-x4', ...flags]);
    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(
        /^swinup: model "test-official-x4" is not installed \(.*\), and offline mode is on .*Run `swinup models pull test-official-x4`, or `swinup models import <file>`/,
      ),
    ]);
    expect(store.requests).toEqual([]);
  });

  it('stops a download at Ctrl-C: exit 130, nothing installed or left behind, the handler removed', async () => {
    const before = process.listenerCount('SIGINT');
    let interrupted = false;
    // The command's own SIGINT handler is called as the signal would call it, without signalling vitest.
    const { code, err } = await run(['--model', 'test-official-x4'], true, (line) => {
      if (interrupted || !/ [1-9]\d*% /.test(line)) return;
      interrupted = true;
      (process.listeners('SIGINT').at(-1) as () => void)();
    });
    expect(interrupted).toBe(true);
    expect(code).toBe(130);
    expect(err).toEqual([
      expect.stringMatching(/^swinup: download of model "test-official-x4" from .* was interrupted/),
    ]);
    expect(filesUnder(store.cacheDir)).toEqual([]);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
