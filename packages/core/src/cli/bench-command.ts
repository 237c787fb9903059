import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { type BenchConfig, benchPhoto, defaultBenchPaths } from '../bench/bench-plan.js';
import { type BenchReport, runBenchSuite } from '../bench/bench-suite.js';
import { formatBenchReport } from '../bench/bench-table.js';
import { type ConfigMeasurement, measureConfig } from '../bench/measure-config.js';
import { runProcess } from '../bench/run-process.js';
import { asUsage, integerFlag } from './arguments.js';
import type { CommandIO } from './command-io.js';

/** Help text of `swinup bench`. */
export const BENCH_HELP = `Usage: swinup bench [--json] [--quick] [--steps] [--threads N] [--tile N] [--overlap N] [--python PATH]

Times the bundled ×4 model and a ×2 SwinIR-S on the Set5 LR images and a 512×512 photo, in one run:
ms per output megapixel, tiles/s, first-use compile time, peak RSS, tiled vs whole-image time, the plain
fp32 export with ONNX Runtime's defaults, sharp Lanczos and the project's PyTorch SwinIR (when python3
has torch), each as a ratio to swinup. --tile/--overlap change swinup's rows (default: its CPU layout).
--steps times every optimisation as its own row (about 3 minutes more). --quick skips the 4096×4096 memory
run. The plain export is torch.onnx.export's graph when python3 has torch, else swinup's own plain graph.
Offline; about 7 minutes on a 2-core machine.`;

/** The Python that has torch: --python, else SWINUP_PYTHON, else the system python3 if torch imports there. */
async function findPython(explicit: string | undefined): Promise<string | undefined> {
  for (const candidate of [explicit, process.env.SWINUP_PYTHON, '/usr/bin/python3', 'python3']) {
    if (candidate === undefined) continue;
    const probe = await runProcess(candidate, ['-c', 'import torch, PIL, numpy']).catch(() => undefined);
    if (probe?.code === 0) return candidate;
  }
  return undefined;
}

/** Runs one configuration in a child `swinup bench --worker` so each has its own peak RSS. */
async function measureInChild(config: BenchConfig): Promise<ConfigMeasurement> {
  const bin = resolve(import.meta.dirname, '../../bin/swinup.js');
  const { code, stdout, stderr } = await runProcess(process.execPath, [
    bin,
    'bench',
    '--worker',
    JSON.stringify(config),
  ]);
  if (code !== 0) throw new Error(`benchmark worker for "${config.label}" failed: ${stderr.trim()}`);
  return JSON.parse(stdout) as ConfigMeasurement;
}

/** A 1024×1024 input (the photo enlarged with Lanczos), for the 4096×4096-output memory run. */
async function largeInput(dir: string, photo: string): Promise<string> {
  const path = join(dir, 'photo-1024.png');
  await sharp(photo).resize(1024, 1024, { kernel: 'lanczos3' }).png().toFile(path);
  return path;
}

/** `swinup bench`: the performance suite (and, with --worker, one of its measurements). */
export async function benchCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = asUsage(() =>
    parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        quick: { type: 'boolean' },
        steps: { type: 'boolean' },
        threads: { type: 'string' },
        tile: { type: 'string' },
        overlap: { type: 'string' },
        python: { type: 'string' },
        worker: { type: 'string' },
      },
    }),
  );
  if (values.worker !== undefined) {
    io.out(JSON.stringify(await measureConfig(JSON.parse(values.worker) as BenchConfig)));
    return 0;
  }
  const paths = defaultBenchPaths();
  const photo = benchPhoto(paths);
  if (!existsSync(photo)) {
    io.err(
      `swinup bench: the benchmark images are missing (${photo}); set SWINUP_SHARED to the shared data folder`,
    );
    return 1;
  }
  const started = performance.now();
  const scratch = await mkdtemp(join(tmpdir(), 'swinup-bench-'));
  try {
    const report: BenchReport = await runBenchSuite(
      {
        paths,
        tileSize: integerFlag('tile', values.tile, 0, 4096),
        overlap: integerFlag('overlap', values.overlap, 0, 512),
        threads: integerFlag('threads', values.threads, 1, 1024) ?? availableParallelism(),
        quick: values.quick ?? false,
        steps: values.steps ?? false,
        largeInput: values.quick ? undefined : await largeInput(scratch, photo),
        scratchDir: scratch,
      },
      {
        measure: measureInChild,
        python: await findPython(values.python),
        progress: (line) => io.err(`bench: [${elapsed(started)}] ${line}`),
      },
    );
    io.out(values.json ? JSON.stringify(report, null, 2) : formatBenchReport(report));
    return 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Minutes and seconds since `start` (performance.now() time), for progress lines. */
function elapsed(start: number): string {
  const seconds = Math.round((performance.now() - start) / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
