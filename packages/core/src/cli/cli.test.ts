import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureImages, temporaryFolder } from '../test-support/fixture-images.js';
import { sharedPath } from '../test-support/shared-data.js';
import type { CommandIO } from './command-io.js';
import { main } from './main.js';

const work = temporaryFolder('cli');
process.env.SWINUP_CACHE ??= join(work, 'cache');
let images: Awaited<ReturnType<typeof makeFixtureImages>>;
beforeAll(async () => {
  images = await makeFixtureImages(work);
});

const NO_TERMINAL = () => {};

async function run(...argv: string[]) {
  return runDrawing(NO_TERMINAL, ...argv);
}

/** Runs the CLI as on a terminal, passing each progress line drawn to `onDrawn`. */
async function runDrawing(onDrawn: (line: string) => void, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    progress: onDrawn,
    interactive: onDrawn !== NO_TERMINAL,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('swinup <inputs>', () => {
  it('gives clashing batch outputs distinct names up front, and names outputs after their real format', async () => {
    const dir = join(work, 'clash');
    for (const sub of ['d1', 'd2']) {
      mkdirSync(join(dir, sub), { recursive: true });
      copyFileSync(sharedPath('images/set5/LR_bicubic/X4/birdx4.png'), join(dir, sub, 'x.png'));
    }
    copyFileSync(sharedPath('images/set5/LR_bicubic/X4/birdx4.png'), join(dir, 'lying.jpg'));
    const out = join(dir, 'out');
    const { code, err } = await run(
      join(dir, 'd1/x.png'),
      join(dir, 'd2/x.png'),
      join(dir, 'lying.jpg'),
      '-o',
      `${out}/`,
    );
    expect(code).toBe(0);
    expect(err.join('\n')).toContain(
      `${join(dir, 'd2/x.png')}: ${join(out, 'x.png')} is another input's output`,
    );
    expect(readdirSync(out).sort()).toEqual(['lying.png', 'x-2.png', 'x.png']);
  });

  it('does not upscale its own earlier outputs when a folder is run again', async () => {
    const dir = join(work, 'again');
    mkdirSync(dir);
    copyFileSync(sharedPath('images/set5/LR_bicubic/X4/birdx4.png'), join(dir, 'a.png'));
    expect((await run(dir, '--scale', '2')).code).toBe(0);
    const second = await run(dir, '--scale', '2', '--overwrite');
    expect(second.code).toBe(0);
    expect(second.err.join('\n')).toContain('1 upscaled');
    expect(readdirSync(dir).sort()).toEqual(['a.png', 'a_x2.png']);
  });

  it('processes a batch, reports each bad file in one line naming it, and leaves no partial output', async () => {
    const dir = join(work, 'batch-out');
    const { code, out, err } = await run(
      images.webp,
      images.truncated,
      images.text,
      images.empty,
      images.huge,
      '-o',
      `${dir}/`,
    );
    expect(code).toBe(1);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('photo.webp');
    for (const [file, why] of [
      [images.truncated, 'damaged or truncated'],
      [images.text, 'not a readable image'],
      [images.empty, 'file is empty'],
      [images.huge, 'over the limit'],
    ]) {
      const lines = err.filter((l) => l.includes(file as string));
      expect(lines, file).toHaveLength(1);
      expect(lines[0]).toContain(why);
      expect(lines[0]).not.toContain('\n');
    }
    expect(err.at(-1)).toMatch(/1 upscaled, 4 failed/);
    expect(readdirSync(dir)).toEqual(['photo.webp']);
  });

  it('stops the batch at Ctrl-C mid-image: exit 130, no output or temporary file, the handler removed', async () => {
    const dir = join(work, 'interrupted');
    mkdirSync(dir);
    for (const name of ['a.png', 'b.png'])
      copyFileSync(sharedPath('images/set5/LR_bicubic/X4/birdx4.png'), join(dir, name));
    const before = process.listenerCount('SIGINT');
    let interrupted = false;
    // The command's own SIGINT handler is called as the signal would call it, without signalling vitest.
    const onDrawn = (line: string) => {
      if (interrupted || !/a\.png: 1\/\d+ tiles/.test(line)) return;
      interrupted = true;
      (process.listeners('SIGINT').at(-1) as () => void)();
    };
    const { code, err } = await runDrawing(onDrawn, join(dir, 'a.png'), join(dir, 'b.png'), '--tile', '32');
    expect(interrupted).toBe(true);
    expect(code).toBe(130);
    expect(err.at(-1)).toMatch(/a\.png: upscale was aborted; nothing was written/);
    expect(readdirSync(dir).sort()).toEqual(['a.png', 'b.png']);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('explains an output folder it cannot write', async () => {
    // A folder below a regular file can never be created, not even by root.
    const denied = `${images.empty}/out/`;
    const { code, err } = await run(images.webp, images.grey, '-o', denied);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(`cannot create output folder ${denied}: ENOTDIR`);
  });

  it('writes beside the input with the scale in the name, and prints JSON on request', async () => {
    const { code, out } = await run(images.grey, '--json', '--tile', '0');
    expect(code).toBe(0);
    const line = JSON.parse(out[0] as string);
    expect(line).toMatchObject({
      ok: true,
      width: 192,
      height: 160,
      channels: 1,
      output: images.grey.replace('.png', '_x4.png'),
    });
    expect(existsSync(line.output)).toBe(true);
    expect(JSON.parse(out[1] as string).summary).toMatchObject({ upscaled: 1, failed: 0, device: 'cpu' });
  });

  it('prints no CUDA warning by default, and the provider chosen only with --verbose', async () => {
    const quiet = await run(images.grey, '-o', join(work, 'quiet.png'), '--tile', '0');
    expect(quiet.code).toBe(0);
    expect(quiet.err.join('\n')).not.toMatch(/warning|inference runs on/);
    const verbose = await run(images.grey, '-o', join(work, 'verbose.png'), '--tile', '0', '--verbose');
    expect(verbose.code).toBe(0);
    expect(verbose.err.filter((l) => /^swinup: inference runs on (cpu|cuda)$/.test(l))).toHaveLength(1);
    expect(verbose.err.join('\n')).not.toMatch(/warning/);
  });

  it.each([
    [['--bogus', 'x.png'], /Unknown option '--bogus'/],
    [['--overwrite'], /no input images given/],
    [['x.png', '--scale', 'two'], /--scale must be an integer from 1 to 16/],
    [['x.png', '--device', 'tpu'], /Invalid option device: "tpu"; expected one of auto, cuda, cpu/],
  ])('exits 2 on usage errors: %j', async (argv, message) => {
    const { code, err } = await run(...(argv as string[]));
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });
});

describe('swinup compile', () => {
  it('writes the ONNX model and prints the inferred config', async () => {
    const target = join(work, 'model.onnx');
    const { code, out } = await run(
      'compile',
      sharedPath('fixtures/swinir/realsr_x4_small_3conv.pth'),
      '--shape',
      '1x3x32x32',
      '-o',
      target,
    );
    expect(code).toBe(0);
    expect(existsSync(target)).toBe(true);
    expect(out.join('\n')).toMatch(/upsampler: "nearest\+conv"/);
    expect(out.join('\n')).toMatch(/resi_connection: "3conv"/);
  });

  it('rejects a shape that is not a window multiple', async () => {
    const { code, err } = await run(
      'compile',
      sharedPath('fixtures/swinir/lightweight_x2.pth'),
      '--shape',
      '1x3x30x32',
      '-o',
      join(work, 'x.onnx'),
    );
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/multiples of the window size 8/);
  });
});
