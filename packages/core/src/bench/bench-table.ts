import { type BenchReport, type ModelReport, SWINUP_LABEL, WHOLE_LABEL } from './bench-suite.js';
import { timeRatio, totals } from './bench-summary.js';
import type { ConfigMeasurement } from './measure-config.js';

const fixed = (value: number, digits = 0) => value.toFixed(digits);

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
    .join('  ');
}

const HEADER = [
  'configuration',
  'ms/out-MP',
  'tiles/s',
  'compile ms',
  'peak RSS MB',
  'Set5 Y-PSNR',
  'time vs swinup',
];
const WIDTHS = [38, 10, 8, 11, 12, 12, 15];

function configRow(config: ConfigMeasurement, swinup: ConfigMeasurement): string {
  const t = totals(config.images);
  return pad(
    [
      config.label,
      fixed(t.msPerOutputMp),
      fixed(t.tilesPerSecond, 2),
      fixed(config.compileMs),
      fixed(config.peakRssMb),
      t.set5Psnr === undefined ? '–' : `${fixed(t.set5Psnr, 2)} dB`,
      `${fixed(timeRatio(config.images, swinup), 2)}×`,
    ],
    WIDTHS,
  );
}

function modelLines(model: ModelReport): string[] {
  const swinup = model.configs.find((c) => c.label === SWINUP_LABEL) as ConfigMeasurement;
  const whole = model.configs.find((c) => c.label === WHOLE_LABEL);
  const plain = model.configs[0] as ConfigMeasurement;
  const lines = [
    `${model.model} ×${model.scale}: ${swinup.images.map((i) => i.image).join(', ')}`,
    pad(HEADER, WIDTHS),
    ...model.configs.map((c) => configRow(c, swinup)),
  ];
  const lanczos = totals(model.lanczos);
  lines.push(
    pad(
      [
        'sharp Lanczos-3 (non-AI)',
        fixed(lanczos.msPerOutputMp, 1),
        '',
        '',
        '',
        '',
        `${fixed(timeRatio(model.lanczos, swinup), 4)}×`,
      ],
      WIDTHS,
    ),
  );
  if (model.torch.ran) {
    const torch = totals(model.torch.images);
    lines.push(
      pad(
        [
          `PyTorch ${model.torch.torch} (whole image)`,
          fixed(torch.msPerOutputMp),
          '',
          '',
          fixed(model.torch.peakRssMb),
          '',
          `${fixed(timeRatio(model.torch.images, swinup), 2)}×`,
        ],
        WIDTHS,
      ),
    );
  } else lines.push(`PyTorch: not measured (${model.torch.reason})`);
  lines.push(`speed-up over the plain fp32 export: ${fixed(timeRatio(plain.images, swinup), 2)}×`);
  if (model.torch.ran)
    lines.push(`speed-up over PyTorch: ${fixed(timeRatio(model.torch.images, swinup), 2)}×`);
  if (whole !== undefined) {
    const overhead = (timeRatio(swinup.images, whole) - 1) * 100;
    lines.push(
      `tiling overhead (tiled vs whole-image time): ${overhead >= 0 ? '+' : ''}${fixed(overhead, 1)}%`,
    );
  }
  return lines;
}

/** The benchmark as a plain-text table with ratios, one block per model. */
export function formatBenchReport(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `machine: ${m.cpu}, ${m.logicalCores} logical cores, ${m.memoryGb} GB; Node ${m.node}; onnxruntime ${m.onnxruntime}; ` +
      `${report.threads} threads; load average at start ${fixed(m.loadAverage, 2)}`,
    `swinup defaults here: ${report.swinupSettings}`,
    'ratios are times on the same images; "time vs swinup" > 1 means slower than swinup',
    '',
  ];
  for (const model of report.models) lines.push(...modelLines(model), '');
  if (report.large !== undefined) {
    const t = totals(report.large.images);
    lines.push(
      `${report.large.label}: ${fixed(t.ms / 1000, 1)} s, ${t.tiles} tiles, peak RSS ${fixed(report.large.peakRssMb)} MB`,
    );
  }
  return lines.join('\n');
}
