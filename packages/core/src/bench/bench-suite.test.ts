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

describe('benchmark suite', () => {
  it('measures each optimisation in order, ends at the CPU defaults, and prints the ratios', async () => {
    const measured: BenchConfig[] = [];
    const report = await runBenchSuite(
      {
        paths: defaultBenchPaths(),
        tileSize: undefined,
        overlap: undefined,
        threads: 2,
        quick: true,
        largeInput: undefined,
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
    const x4 = measured.filter((c) => c.checkpoint.endsWith('.pth') && c.checkpoint.includes('swinup-s-x4'));
    expect(x4.map((c) => c.label)).toEqual([
      'plain fp32 export (ORT defaults, 128-px tiles)',
      '+ tuned session (no spin, all graph opts)',
      '+ 64-px tiles, overlap 8',
      '+ 2 sessions in worker threads (fp32)',
      SWINUP_LABEL,
      'swinup defaults with fused ORT ops',
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
    expect(x4[0]).toMatchObject({ fused: false, precision: 'fp32', session: 'ort-defaults', sessions: 1 });
    const text = formatBenchReport(report);
    expect(text).toContain('speed-up over the plain fp32 export: 2.00×');
    expect(text).toContain('tiling overhead (tiled vs whole-image time): -20.0%');
    expect(text).toContain('PyTorch: not measured (no python3 with torch found)');
    expect(text).toContain('swinup defaults here: plain graph, int8 linear layers, 64-px tiles');
  });
});
