import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceProfile } from '../runtime/device-profile.js';
import { type BenchConfig, defaultBenchPaths } from './bench-plan.js';
import { runBenchSuite, SWINUP_LABEL, WHOLE_LABEL } from './bench-suite.js';
import { formatBenchReport } from './bench-table.js';
import type { ConfigMeasurement } from './measure-config.js';

/** A stand-in measurement: the plain export takes 2 s per image, swinup 1 s, whole images 1.25 s. */
function fakeMeasure(config: BenchConfig): Promise<ConfigMeasurement> {
  const ms = config.label.startsWith('plain') ? 2000 : config.label === WHOLE_LABEL ? 1250 : 1000;
  return Promise.resolve({
    label: config.label,
    compileMs: 100,
    peakRssMb: 500,
    images: config.images.map((image) => ({ image: basename(image), ms, tiles: 4, outputPixels: 1e6 })),
  });
}

async function run(steps: boolean) {
  const measured: BenchConfig[] = [];
  const report = await runBenchSuite(
    {
      paths: defaultBenchPaths(),
      tileSize: undefined,
      overlap: undefined,
      threads: 2,
      quick: true,
      steps,
      largeInput: undefined,
      scratchDir: '/nonexistent',
    },
    {
      measure: (config) => {
        measured.push(config);
        return fakeMeasure(config);
      },
      python: undefined,
      progress: () => {},
    },
  );
  return { report, x4: measured.filter((c) => c.checkpoint.includes('swinup-s-x4')) };
}

const BASELINE = "plain fp32 export (swinup's plain graph, no PyTorch; ORT defaults, 128-px tiles)";

describe('benchmark suite', () => {
  it("times the baseline, swinup's layout in fp32 and the defaults, and prints the ratios", async () => {
    const { report, x4 } = await run(false);
    expect(x4.map((c) => c.label)).toEqual([
      BASELINE,
      "swinup's CPU layout in fp32 (plain graph, chunked attention, tiles ≤ 192 px, 2 sessions)",
      SWINUP_LABEL,
      WHOLE_LABEL,
    ]);
    const profile = deviceProfile('cpu', {
      tileSize: undefined,
      tileOverlap: undefined,
      precision: 'auto',
      threads: 2,
      cores: 2,
    });
    expect(x4.find((c) => c.label === SWINUP_LABEL)).toMatchObject({
      fused: profile.fused,
      precision: profile.precision,
      tileSize: profile.tileSize,
      overlap: profile.tileOverlap,
      sessions: profile.sessions,
    });
    expect(x4[0]).toMatchObject({
      fused: false,
      precision: 'fp32',
      session: 'ort-defaults',
      sessions: 1,
      shrinkTiles: false,
    });
    const text = formatBenchReport(report);
    expect(text).toContain('speed-up over the plain fp32 export: 2.00×');
    expect(text).toContain('tiling overhead (tiled vs whole-image time): -20.0%');
    expect(text).toContain('PyTorch: not measured (no python3 with torch found)');
    expect(text).toContain(
      'swinup defaults here: plain graph, int8 linear layers, chunked attention, tiles up to 192 px',
    );
  });

  it('with steps, times each optimisation in the order it was applied', async () => {
    const { x4 } = await run(true);
    expect(x4.map((c) => c.label)).toEqual([
      BASELINE,
      '+ tuned session (no spin, all graph opts)',
      '+ tiles only as large as their count needs',
      '+ 64-px tiles, overlap 8',
      '+ 2 sessions in worker threads',
      '+ attention in chunks of windows',
      '+ planned tiles up to 192 px, overlap 8 (fp32)',
      SWINUP_LABEL,
      WHOLE_LABEL,
    ]);
  });
});
