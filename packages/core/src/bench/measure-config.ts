import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { readCheckpoint } from '../checkpoint/index.js';
import { compileCheckpoint } from '../compiler.js';
import { measureQuality } from '../evaluation/quality-metrics.js';
import { inferConfig } from '../graph/swinir-config.js';
import { clampUnit, interleavedSource, toInterleaved } from '../image/pixel-planes.js';
import { decodeRgb8, inspectImage } from '../io/image-codec.js';
import type { InferenceRunner } from '../runtime/onnx-session.js';
import { createCpuRunner } from '../runtime/session-pool.js';
import type { PlanarImage } from '../tiling/tensor-layout.js';
import {
  countTiles,
  type PassTiling,
  passTiles,
  type TileRunner,
  upscaleTiled,
} from '../tiling/tiled-inference.js';
import type { BenchConfig, TorchExport } from './bench-plan.js';
import { runProcess } from './run-process.js';

/** Time and quality of one image under one configuration. */
export interface ImageTiming {
  readonly image: string;
  /** Tiled inference time (model runs, tile extraction and blending), after the session exists. */
  readonly ms: number;
  readonly tiles: number;
  readonly outputPixels: number;
  /** Y-PSNR against the HR image, when the configuration has an HR folder. */
  readonly psnr?: number;
}

/** What one configuration measured. */
export interface ConfigMeasurement {
  readonly label: string;
  /** First use: emitting the ONNX graph for the first tile shape and creating its session. */
  readonly compileMs: number;
  readonly images: readonly ImageTiming[];
  /** Peak resident set size of the measuring process. */
  readonly peakRssMb: number;
}

/**
 * Runs every image of `config` through the tiled inference path swinup's pipeline uses. Sessions for each
 * tile shape are created and run once before the image is timed, so times are steady-state throughput.
 */
export async function measureConfig(config: BenchConfig): Promise<ConfigMeasurement> {
  const checkpoint = await readFile(config.checkpoint);
  const tensors = readCheckpoint(checkpoint);
  const model = inferConfig(tensors.weights, tensors.otherTensors).config;
  const channels = model.in_chans;
  const runners = new Map<string, InferenceRunner>();
  let compileMs: number | undefined;
  const exported =
    config.torchExport === undefined ? undefined : await exportGraphs(config, model.window_size);
  const graphFor = async (h: number, w: number): Promise<Uint8Array> => {
    if (exported !== undefined) return readFile(exported.get(`${h}x${w}`) as string);
    return compileCheckpoint(checkpoint, {
      shape: [config.batch, channels, h, w],
      fused: config.fused,
      precision: config.precision,
      ...(config.attentionChunk === undefined ? {} : { attentionChunk: config.attentionChunk }),
    }).onnx;
  };
  const runnerFor = async (h: number, w: number): Promise<InferenceRunner> => {
    const key = `${h}x${w}`;
    const existing = runners.get(key);
    if (existing !== undefined) return existing;
    const start = performance.now();
    const onnx = await graphFor(h, w);
    const runner = await createCpuRunner(onnx, {
      sessions: config.sessions,
      threadsPerSession:
        config.sessions > 1 ? Math.max(1, Math.floor(config.threads / config.sessions)) : config.threads,
      profile: config.session,
    });
    compileMs ??= performance.now() - start;
    // ONNX Runtime allocates its buffers on the first run; that belongs to first use, not throughput.
    const shape = [config.batch, channels, h, w];
    await Promise.all(
      Array.from({ length: runner.parallelism }, () =>
        runner.run(new Float32Array(config.batch * channels * h * w), shape),
      ),
    );
    runners.set(key, runner);
    return runner;
  };
  const tileRunner = async (h: number, w: number): Promise<TileRunner> => {
    const runner = await runnerFor(h, w);
    const full = config.batch * channels * h * w;
    return {
      parallelism: runner.parallelism,
      run: async (input, count) => {
        const padded = input.length === full ? input : new Float32Array(full);
        if (padded !== input) padded.set(input);
        const out = await runner.run(padded, [config.batch, channels, h, w]);
        return out.subarray(0, (out.length / config.batch) * count);
      },
    };
  };
  const tiling = tilingOf(config, model.window_size);
  const images: ImageTiming[] = [];
  for (const path of config.images) {
    const decoded = await decodeRgb8(await readFile(path));
    const source = interleavedSource(decoded, [0, 1, 2]);
    const [h, w] = tileShape(decoded, config, model.window_size);
    await runnerFor(h, w);
    const start = performance.now();
    const output = await upscaleTiled(source, tileRunner, {
      ...tiling,
      scale: model.upscale,
      batch: config.batch,
    });
    const ms = performance.now() - start;
    const timing: ImageTiming = {
      image: basename(path),
      ms,
      tiles: countTiles(decoded.height, decoded.width, tiling),
      outputPixels: output.width * output.height,
    };
    const psnr =
      config.hrDir === undefined
        ? undefined
        : await scoreAgainstHr(output, path, config.hrDir, model.upscale);
    images.push(psnr === undefined ? timing : { ...timing, psnr });
    // Each image size has its own tile shape; keeping every shape's sessions would inflate peak RSS beyond
    // what the pipeline (which keeps a few shapes) holds.
    await Promise.all([...runners.values()].map((r) => r.release()));
    runners.clear();
  }
  return {
    label: config.label,
    compileMs: compileMs ?? 0,
    images,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** The tile shape (h, w) an image runs with under `config`. */
function tileShape(
  size: { readonly width: number; readonly height: number },
  config: BenchConfig,
  window: number,
): [number, number] {
  const { rows, cols } = passTiles(size.height, size.width, tilingOf(config, window));
  return [rows.tile, cols.tile];
}

/** How `config` tiles images of a model with window `window`. */
function tilingOf(config: BenchConfig, window: number): PassTiling {
  return {
    tileSize: config.tileSize,
    overlap: config.overlap,
    window,
    shrinkTiles: config.shrinkTiles,
    parallel: config.sessions * config.batch,
  };
}

/**
 * `torch.onnx.export`s the checkpoint once per tile shape the images need (the export is fixed-shape), so
 * the baseline is the standard PyTorch-to-ONNX graph. Export time is not part of any timing.
 */
async function exportGraphs(config: BenchConfig, window: number): Promise<Map<string, string>> {
  const spec = config.torchExport as TorchExport;
  const shapes = new Set<string>();
  for (const path of config.images) {
    const [h, w] = tileShape(await inspectImage(await readFile(path)), config, window);
    shapes.add(`${h}x${w}`);
  }
  // Tracing and exporting takes ~15 s per shape; the export is not timed, so it uses every core.
  const lanes = Math.max(1, Math.min(availableParallelism(), shapes.size));
  const groups = Array.from({ length: lanes }, (_, lane) => [...shapes].filter((_, i) => i % lanes === lane));
  const results = await Promise.all(
    groups.map((group) =>
      runProcess(spec.python, [
        spec.script,
        '--training-dir',
        spec.trainingDir,
        '--checkpoint',
        config.checkpoint,
        '--config',
        spec.preset,
        '--out-dir',
        spec.outDir,
        ...group,
      ]),
    ),
  );
  const files: Record<string, string> = {};
  for (const { code, stdout, stderr } of results) {
    if (code !== 0) throw new Error(`torch.onnx.export failed: ${stderr.trim().split('\n').at(-1) ?? code}`);
    Object.assign(files, (JSON.parse(stdout) as { files: Record<string, string> }).files);
  }
  return new Map(Object.entries(files));
}

/** Y-PSNR of an output against its Set5 HR image (`babyx4.png` ↔ `HR/baby.png`), border = scale; else undefined. */
async function scoreAgainstHr(
  output: PlanarImage,
  lrPath: string,
  hrDir: string,
  scale: number,
): Promise<number | undefined> {
  const stem = /^(.*)x\d+\.png$/.exec(basename(lrPath))?.[1];
  if (stem === undefined) return undefined;
  const hr = await decodeRgb8(await readFile(join(hrDir, `${stem}.png`)));
  if (hr.width !== output.width || hr.height !== output.height) return undefined;
  const image = clampUnit(output);
  const rgb = toInterleaved(
    [0, 1, 2].map((c) => ({ image, channels: [c] })),
    8,
  );
  return measureQuality({ ...rgb, pixels: rgb.pixels as Uint8Array }, hr, scale).psnr;
}
