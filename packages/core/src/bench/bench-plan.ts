import { join, resolve } from 'node:path';
import type { Precision } from '../graph/swinir-graph.js';
import { loadCatalog, requireEntry } from '../models/model-catalog.js';
import type { SessionProfile } from '../runtime/onnx-session.js';

/** One configuration the benchmark times in its own child process (so peak RSS is its own). */
export interface BenchConfig {
  /** Row label. */
  readonly label: string;
  readonly checkpoint: string;
  /** Emit ONNX Runtime's fused operators (false: swinup's plain graph). */
  readonly fused: boolean;
  /** Run `torch.onnx.export`'s graph of the same weights instead of swinup's (the plain fp32 export). */
  readonly torchExport?: TorchExport;
  /** Tiles only as large as their count needs (false: every tile full size, the old layout). */
  readonly shrinkTiles: boolean;
  readonly session: SessionProfile;
  /** Linear-layer precision. */
  readonly precision: Precision;
  /** Windows per attention chunk of swinup's plain graph (undefined: the compiler's default; 0: unchunked). */
  readonly attentionChunk?: number;
  /** Tile side in input pixels; 0 runs each image whole. */
  readonly tileSize: number;
  readonly overlap: number;
  /** Tiles per model run. */
  readonly batch: number;
  /** Threads in all (0: ONNX Runtime's default, one per physical core). */
  readonly threads: number;
  /** Sessions running tiles at once, each in a worker thread with threads / sessions intra-op threads (1: one in-process session). */
  readonly sessions: number;
  readonly images: readonly string[];
  /** Set5-style HR folder to score the outputs against (Y-PSNR), when the inputs are Set5 LR images. */
  readonly hrDir?: string;
}

/** How to get `torch.onnx.export` graphs of a checkpoint: `packages/core/bench/torch_export.py`. */
export interface TorchExport {
  readonly python: string;
  readonly script: string;
  readonly trainingDir: string;
  /** Preset of models/training/swinir.py with the checkpoint's architecture. */
  readonly preset: string;
  /** Folder the exported graphs are written to. */
  readonly outDir: string;
}

/** A model the benchmark covers, and the inputs it is timed on. */
export interface BenchModel {
  readonly name: string;
  readonly scale: number;
  readonly checkpoint: string;
  /** Preset of models/training/swinir.py with the same architecture, for the PyTorch comparison. */
  readonly torchPreset: string;
  readonly set5: readonly string[];
  readonly hrDir: string;
}

/** Where the benchmark finds its models and images. */
export interface BenchPaths {
  /** The repository root (holds models/). */
  readonly repo: string;
  /** The shared data folder (holds images/ and fixtures/). */
  readonly shared: string;
}

const SET5 = ['baby', 'bird', 'butterfly', 'head', 'woman'];

/**
 * The photo: the only ≥ 512×512 photograph in the shared images (realsr has none that large), a real
 * camera photo of a face and textured suit, so tiling runs a full 5×5 (×4) grid of tiles.
 */
export function benchPhoto(paths: BenchPaths): string {
  return join(paths.shared, 'images/faces/astronaut_eileen_collins_512.png');
}

/** Where the catalog keeps a bundled model's checkpoint. */
function bundledCheckpoint(id: string): string {
  const catalog = loadCatalog();
  const entry = requireEntry(catalog, id);
  return resolve(catalog.modelsDir, entry.source.file);
}

/** The bundled ×4 model and the ×2 model (the random-weight SwinIR-S ×2 fixture: same architecture and cost). */
export function benchModels(paths: BenchPaths): BenchModel[] {
  const set5 = (scale: number) =>
    SET5.map((name) => join(paths.shared, `images/set5/LR_bicubic/X${scale}/${name}x${scale}.png`));
  return [
    {
      name: 'swinup-s-x4 (bundled)',
      scale: 4,
      checkpoint: bundledCheckpoint('swinup-s-x4'),
      torchPreset: 'swinir-s-x4',
      set5: set5(4),
      hrDir: join(paths.shared, 'images/set5/HR'),
    },
    {
      name: 'swinir-s-x2 (fixture weights)',
      scale: 2,
      checkpoint: join(paths.shared, 'fixtures/swinir/lightweight_x2.pth'),
      torchPreset: 'swinir-s-x2',
      set5: set5(2),
      hrDir: join(paths.shared, 'images/set5/HR'),
    },
  ];
}

/** Repository and shared-data folders as seen from this package's compiled files. */
export function defaultBenchPaths(): BenchPaths {
  const repo = resolve(import.meta.dirname, '../../../..');
  return { repo, shared: process.env.SWINUP_SHARED ?? resolve(repo, '../shared') };
}
