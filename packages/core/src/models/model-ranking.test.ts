import { describe, expect, it } from 'vitest';
import { type CatalogEntry, loadCatalog, requireEntry } from './model-catalog.js';
import { bestModel, compareCost, rankingQuality, rankModels } from './model-ranking.js';
import { betterModelTip, isTip, logTipOnce, resetTipForTests } from './model-tip.js';

type Score = { dataset: string; yPsnr: number | null; ySsim: number | null } | null;

function entry(id: string, size: number | null, published: Score, measured: Score = null): CatalogEntry {
  return {
    id,
    title: id,
    task: 'sr',
    scale: 4,
    arch: { window_size: 8, in_chans: 3 },
    imgRange: 1,
    source: { kind: 'url', url: `https://example.invalid/${id}.pth`, file: `${id}.pth` },
    size,
    sha256: null,
    sha256Source: 'test',
    stateDictKey: 'params',
    license: 'Apache-2.0',
    published,
    measured: measured === null ? null : { ...measured, yPsnr: measured.yPsnr ?? 0, ySsim: 0 },
  };
}

const set5 = (yPsnr: number | null): Score => ({ dataset: 'Set5', yPsnr, ySsim: null });
const ids = (entries: readonly CatalogEntry[]) => entries.map((e) => e.id);

describe('model ranking', () => {
  it('reads the published Set5 Y-PSNR, else the measured one, and ignores other data sets', () => {
    expect(rankingQuality(entry('a', 1, set5(32.4), set5(30)))).toBe(32.4);
    expect(rankingQuality(entry('b', 1, null, set5(30.2)))).toBe(30.2);
    expect(rankingQuality(entry('c', 1, set5(null), set5(29)))).toBe(29);
    expect(rankingQuality(entry('d', 1, { dataset: 'Classic5', yPsnr: 34, ySsim: null }))).toBeUndefined();
    expect(rankingQuality(entry('e', 1, null))).toBeUndefined();
  });

  it('ranks by quality, then by size; models without a number or size come last; ties keep catalog order', () => {
    const models = [
      entry('no-number-small', 1, null),
      entry('measured-30', 5, null, set5(30)),
      entry('published-32-big', 60, set5(32)),
      entry('published-32-small', 17, set5(32)),
      entry('published-32-unknown-size', null, set5(32)),
      entry('published-33', 68, set5(33)),
      entry('no-number-big', 9, null),
      entry('no-number-tie', 9, null),
    ];
    expect(ids(rankModels(models))).toEqual([
      'published-33',
      'published-32-small',
      'published-32-big',
      'published-32-unknown-size',
      'measured-30',
      'no-number-small',
      'no-number-big',
      'no-number-tie',
    ]);
    expect(bestModel(models)?.id).toBe('published-33');
    expect(bestModel([])).toBeUndefined();
    expect(ids([...models].sort(compareCost)).slice(0, 3)).toEqual([
      'no-number-small',
      'measured-30',
      'no-number-big',
    ]);
  });

  it('ranks the real catalog: the official ×4 models above the bundled one', () => {
    const catalog = loadCatalog();
    const x4 = catalog.models.filter((m) => m.task === 'sr' && m.scale === 4);
    expect(ids(rankModels(x4))).toEqual([
      'swinir-classical-x4',
      'swinir-classical-div2k-x4',
      'swinir-lightweight-x4',
      'swinup-s-x4',
    ]);
  });
});

describe('better-model tip', () => {
  const catalog = loadCatalog();
  const bundled = requireEntry(catalog, 'swinup-s-x4');
  // The bundled model's own measured Set5 score, which each new bundled version raises.
  const own = bundled.measured?.yPsnr.toFixed(2);

  it('names the cheapest better official model of the task and scale, with the exact pull command', () => {
    const tip = betterModelTip(bundled, catalog.models, () => false);
    expect(tip).toBe(
      `tip: swinir-lightweight-x4 (Set5 32.44 dB vs ${own}, 17.2 MB) is available: ` +
        'npx swinup models pull swinir-lightweight-x4',
    );
    expect(isTip(tip as string)).toBe(true);
    expect(tip).not.toMatch(/warning|cuda/i);
  });

  it('skips installed models, and says nothing when every better one is installed or for a downloaded model', () => {
    const installed = new Set(['swinir-lightweight-x4']);
    expect(betterModelTip(bundled, catalog.models, (m) => installed.has(m.id))).toContain(
      `swinir-classical-div2k-x4 (Set5 32.72 dB vs ${own}, 59.6 MB)`,
    );
    expect(betterModelTip(bundled, catalog.models, (m) => m.source.kind === 'url')).toBeUndefined();
    const official = requireEntry(catalog, 'swinir-lightweight-x4');
    expect(betterModelTip(official, catalog.models, () => false)).toBeUndefined();
  });

  it('is logged once per process', () => {
    resetTipForTests();
    const infos: string[] = [];
    const logger = { debug() {}, info: (m: string) => infos.push(m), warn() {} };
    logTipOnce(logger, undefined);
    logTipOnce(logger, 'tip: one');
    logTipOnce(logger, 'tip: two');
    expect(infos).toEqual(['tip: one']);
  });
});
