import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findEntry, loadCatalog } from '../models/model-catalog.js';
import { temporaryFolder } from '../test-support/fixture-images.js';
import { sharedPath } from '../test-support/shared-data.js';
import type { CommandIO } from './command-io.js';
import { main } from './main.js';

// The bundled models' quality as a new user measures it: `swinup eval` on Set5, offline, with no model
// installed beside the bundled ones (a fresh cache folder).
const work = temporaryFolder('eval');
process.env.SWINUP_CACHE = join(work, 'cache');
process.env.SWINUP_OFFLINE = '1';
const SET5 = sharedPath('images/set5');

async function evaluate(scale: number, ...flags: string[]) {
  const out: string[] = [];
  const io: CommandIO = { out: (l) => out.push(l), err() {}, progress() {}, interactive: false };
  const argv = [
    'eval',
    '--scale',
    `${scale}`,
    '--hr',
    join(SET5, 'HR'),
    '--lr',
    join(SET5, `LR_bicubic/X${scale}`),
  ];
  const code = await main([...argv, ...flags], io);
  expect(code).toBe(0);
  return out;
}

async function score(scale: number, ...flags: string[]) {
  const [line] = await evaluate(scale, ...flags, '--json');
  return JSON.parse(line ?? '') as { method: string; meanPsnr: number; meanSsim: number };
}

/** The Set5 score the catalog records for a bundled model (what `bundle_weights.py` measured). */
function recorded(id: string): number | undefined {
  return findEntry(loadCatalog(), id)?.measured?.yPsnr;
}

describe('swinup eval on Set5 with the bundled models', () => {
  it('scores MATLAB bicubic ×4 as published (28.42 dB)', async () => {
    const bicubic = await score(4, '--bicubic');
    expect(bicubic.method).toBe('bicubic');
    expect(bicubic.meanPsnr).toBeCloseTo(28.43, 2);
  });

  it('meets the ×4 bar with the default model: ≥ 30.50 dB, the score the catalog records', async () => {
    const out = await evaluate(4);
    expect(out[0]).toBe('×4 by swinup-s-x4 (Y channel, border 4)');
    expect(out).toHaveLength(7); // the header, five images, the mean
    const mean = Number(/PSNR ([\d.]+) dB/.exec(out[6] ?? '')?.[1]);
    expect(mean).toBeGreaterThanOrEqual(30.5);
    expect(mean).toBe(recorded('swinup-s-x4'));
  });

  it('runs the native ×2 model at ×2, and it beats the ×4 model then Lanczos', async () => {
    const native = await score(2);
    expect(native.method).toBe('swinup-s-x2');
    expect(native.meanPsnr).toBeGreaterThanOrEqual(36.22);
    expect(native.meanPsnr.toFixed(2)).toBe(recorded('swinup-s-x2')?.toFixed(2));
    const viaX4 = await score(2, '--model', 'swinup-s-x4');
    expect(viaX4.method).toBe('swinup-s-x4, then Lanczos');
    expect(native.meanPsnr).toBeGreaterThan(viaX4.meanPsnr);
  });
});
