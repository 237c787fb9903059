import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { decodeRgb8, resizeLanczos } from '../io/image-codec.js';
import { deviceProfile } from '../runtime/device-profile.js';
import { runtimeVersion } from '../runtime/onnx-session.js';
import { type BenchConfig, type BenchModel, type BenchPaths, benchModels, benchPhoto } from './bench-plan.js';
import type { ConfigMeasurement, ImageTiming } from './measure-config.js';
import { runProcess } from './run-process.js';

/** The PyTorch comparison's result, or why it did not run. */
export type TorchResult =
  | {
      readonly ran: true;
      readonly torch: string;
      readonly images: readonly ImageTiming[];
      readonly peakRssMb: number;
    }
  | { readonly ran: false; readonly reason: string };

/** Everything measured for one model. */
export interface ModelReport {
  readonly model: string;
  readonly scale: number;
  /** The first configuration is the plain fp32 export; the one labelled {@link SWINUP_LABEL} is swinup's default. */
  readonly configs: readonly ConfigMeasurement[];
  readonly lanczos: readonly ImageTiming[];
  readonly torch: TorchResult;
}

/** The machine the numbers were measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly logicalCores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly onnxruntime: string;
  /** 1-minute load average when the run started: other work on the machine slows every row alike. */
  readonly loadAverage: number;
}

/** A whole benchmark run. */
export interface BenchReport {
  readonly machine: MachineInfo;
  readonly threads: number;
  /** What "swinup defaults" means on this machine: graph, precision, tiling, sessions. */
  readonly swinupSettings: string;
  readonly models: readonly ModelReport[];
  /** The ×4 model on a 1024×1024 input (4096×4096 output), swinup's defaults; absent with `quick`. */
  readonly large?: ConfigMeasurement;
}

/** Label of swinup's default configuration in every model's rows. */
export const SWINUP_LABEL = 'swinup defaults';
/** Label of the whole-image run used for the tiling overhead. */
export const WHOLE_LABEL = 'swinup, whole image (no tiles)';
/** The tiling every configuration used before the CPU layout was tuned, and the baseline still uses. */
const BASELINE_TILE = 128;
const BASELINE_OVERLAP = 16;
/** The fixed CPU tiles of the step before chunked attention and the tile planner (session 2's layout). */
const SMALL_TILE = 64;
const SMALL_OVERLAP = 8;

/** How the suite runs things it does not do in-process. */
export interface SuiteRunners {
  /** Measures one configuration, in a fresh process so its peak RSS is its own. */
  measure(config: BenchConfig): Promise<ConfigMeasurement>;
  /** Python interpreter with torch for the PyTorch comparison, or undefined to skip it. */
  readonly python: string | undefined;
  /** Reports progress (one line per step). */
  progress(line: string): void;
}

/** Settings of a suite run. */
export interface SuiteOptions {
  readonly paths: BenchPaths;
  /** Tile side and overlap of swinup's rows (undefined: the CPU defaults). */
  readonly tileSize: number | undefined;
  readonly overlap: number | undefined;
  /** Threads for ONNX Runtime and PyTorch alike. */
  readonly threads: number;
  /** Skip the 4096×4096 memory run. */
  readonly quick: boolean;
  /** Time every optimisation as its own row (longer); else the baseline, swinup's layout in fp32 and the defaults. */
  readonly steps: boolean;
  /** A 1024×1024 PNG made from the photo (for the large run), written by the caller. */
  readonly largeInput: string | undefined;
  /** A scratch folder (for the baseline's exported graphs). */
  readonly scratchDir: string;
}

/** swinup's CPU defaults on this machine, as a benchmark configuration. */
function swinupDefaults(options: SuiteOptions, checkpoint: string, images: string[]): BenchConfig {
  const profile = deviceProfile('cpu', {
    tileSize: options.tileSize,
    tileOverlap: options.overlap,
    precision: 'auto',
    threads: options.threads,
    cores: options.threads,
  });
  return {
    label: SWINUP_LABEL,
    checkpoint,
    fused: profile.fused,
    session: 'tuned',
    precision: profile.precision,
    tileSize: profile.tileSize,
    overlap: profile.tileOverlap,
    batch: profile.tilesPerRun,
    threads: options.threads,
    sessions: profile.sessions,
    shrinkTiles: true,
    images,
  };
}

/**
 * The configurations of one model, in the order the optimisations were applied: the plain fp32 export
 * (`torch.onnx.export` of the same weights when PyTorch is there, else swinup's own plain graph) with ONNX
 * Runtime's defaults and the old full-size 128-pixel tiles, then each change on top. (ONNX Runtime's fused
 * operators were measured slower on the CPU; BENCHMARKS.md has the run.) Without `steps` the changes before
 * int8 are one row, swinup's CPU layout in fp32. The ×2 model runs the endpoints only.
 */
function configsFor(
  model: BenchModel,
  full: boolean,
  options: SuiteOptions,
  images: string[],
  python: string | undefined,
): BenchConfig[] {
  const swinup: BenchConfig = { ...swinupDefaults(options, model.checkpoint, images), hrDir: model.hrDir };
  const before: BenchConfig = {
    ...swinup,
    fused: false,
    precision: 'fp32',
    session: 'ort-defaults',
    tileSize: BASELINE_TILE,
    overlap: BASELINE_OVERLAP,
    shrinkTiles: false,
    sessions: 1,
    attentionChunk: 0,
  };
  const tiles = `${BASELINE_TILE}-px tiles`;
  const plain: BenchConfig =
    python === undefined
      ? { ...before, label: `plain fp32 export (swinup's plain graph, no PyTorch; ORT defaults, ${tiles})` }
      : {
          ...before,
          label: `plain fp32 export (torch.onnx.export, ORT defaults, ${tiles})`,
          torchExport: {
            python,
            script: join(options.paths.repo, 'packages/core/bench/torch_export.py'),
            trainingDir: join(options.paths.repo, 'models/training'),
            preset: model.torchPreset,
            outDir: options.scratchDir,
          },
        };
  const tuned: BenchConfig = {
    ...before,
    label: '+ tuned session (no spin, all graph opts)',
    session: 'tuned',
  };
  const shrunk: BenchConfig = {
    ...tuned,
    label: '+ tiles only as large as their count needs',
    shrinkTiles: true,
  };
  const small: BenchConfig = {
    ...shrunk,
    label: `+ ${SMALL_TILE}-px tiles, overlap ${SMALL_OVERLAP}`,
    tileSize: SMALL_TILE,
    overlap: SMALL_OVERLAP,
  };
  const workers: BenchConfig = {
    ...small,
    label: `+ ${swinup.sessions} sessions in worker threads`,
    sessions: swinup.sessions,
  };
  const layout: BenchConfig = { ...swinup, precision: 'fp32' };
  const detailed: BenchConfig[] = [
    ...(python === undefined ? [] : [{ ...before, label: "+ swinup's plain graph (unchunked attention)" }]),
    tuned,
    shrunk,
    small,
    workers,
    { ...workers, label: '+ attention in chunks of windows', attentionChunk: undefined },
    {
      ...layout,
      label: `+ planned tiles up to ${swinup.tileSize} px, overlap ${swinup.overlap} (fp32)`,
    },
  ];
  const summary: BenchConfig[] = [
    {
      ...layout,
      label: `swinup's CPU layout in fp32 (plain graph, chunked attention, tiles ≤ ${swinup.tileSize} px, ${swinup.sessions} sessions)`,
    },
  ];
  const steps = full ? [...(options.steps ? detailed : summary), swinup] : [swinup];
  return [plain, ...steps, { ...swinup, label: WHOLE_LABEL, tileSize: 0, sessions: 1 }];
}

/** Runs the whole benchmark: every model and configuration, sharp Lanczos and PyTorch, and the large run. */
export async function runBenchSuite(options: SuiteOptions, runners: SuiteRunners): Promise<BenchReport> {
  const machine = machineInfo();
  const photo = benchPhoto(options.paths);
  const models: ModelReport[] = [];
  for (const [index, model] of benchModels(options.paths).entries()) {
    const images = [...model.set5, photo];
    const configs: ConfigMeasurement[] = [];
    for (const config of configsFor(model, index === 0, options, images, runners.python)) {
      runners.progress(`${model.name}: ${config.label}`);
      configs.push(await runners.measure(config));
    }
    runners.progress(`${model.name}: sharp Lanczos`);
    const lanczos = await timeLanczos(images, model.scale);
    runners.progress(`${model.name}: PyTorch`);
    const torch = await timeTorch(model, images, options, runners.python);
    models.push({ model: model.name, scale: model.scale, configs, lanczos, torch });
  }
  const defaults = swinupDefaults(options, '', []);
  const swinupSettings =
    `${defaults.fused ? 'fused' : 'plain'} graph, ${defaults.precision} linear layers, chunked attention, tiles up to ${defaults.tileSize} px ` +
    `overlapping ${defaults.overlap} px, ${defaults.sessions} worker session(s) × ` +
    `${Math.max(1, Math.floor(defaults.threads / defaults.sessions))} thread(s)`;
  const report = { machine, threads: options.threads, swinupSettings, models };
  if (options.quick || options.largeInput === undefined) return report;
  const x4 = benchModels(options.paths)[0] as BenchModel;
  runners.progress('4096×4096 output (×4 of a 1024×1024 input)');
  const large = await runners.measure({
    ...swinupDefaults(options, x4.checkpoint, [options.largeInput]),
    label: '4096×4096 output, swinup defaults',
  });
  return { ...report, large };
}

function machineInfo(): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    logicalCores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    onnxruntime: runtimeVersion(),
    loadAverage: loadavg()[0] ?? 0,
  };
}

/** sharp's Lanczos-3 enlargement of each image (decode excluded), the non-AI baseline. */
async function timeLanczos(images: readonly string[], scale: number): Promise<ImageTiming[]> {
  const timings: ImageTiming[] = [];
  for (const path of images) {
    const decoded = await decodeRgb8(await readFile(path));
    const start = performance.now();
    await resizeLanczos(decoded, decoded.width * scale, decoded.height * scale);
    timings.push({
      image: basename(path),
      ms: performance.now() - start,
      tiles: 0,
      outputPixels: decoded.width * scale * decoded.height * scale,
    });
  }
  return timings;
}

/** Times models/training's SwinIR on the same weights, inputs and thread count (whole images). */
async function timeTorch(
  model: BenchModel,
  images: readonly string[],
  options: SuiteOptions,
  python: string | undefined,
): Promise<TorchResult> {
  if (python === undefined) return { ran: false, reason: 'no python3 with torch found' };
  const args = [
    join(options.paths.repo, 'packages/core/bench/torch_bench.py'),
    '--training-dir',
    join(options.paths.repo, 'models/training'),
    '--checkpoint',
    model.checkpoint,
    '--config',
    model.torchPreset,
    '--threads',
    String(options.threads),
    ...images,
  ];
  const { code, stdout, stderr } = await runProcess(python, args);
  if (code !== 0) return { ran: false, reason: stderr.trim().split('\n').at(-1) ?? `exit ${code}` };
  const parsed = JSON.parse(stdout) as {
    torch: string;
    images: { image: string; ms: number; outputPixels: number }[];
    peakRssMb: number;
  };
  return {
    ran: true,
    torch: parsed.torch,
    images: parsed.images.map((i) => ({ ...i, tiles: 0 })),
    peakRssMb: parsed.peakRssMb,
  };
}
