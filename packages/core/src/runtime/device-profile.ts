import { invalidOption } from '../errors.js';
import type { Precision } from '../graph/swinir-graph.js';
import type { ExecutionProviderName } from './execution-provider.js';

/** Linear-layer precision a user can ask for; `auto` takes the device's measured best. */
export type PrecisionChoice = 'auto' | Precision;

/** All values `precision` accepts. */
export const PRECISIONS: readonly PrecisionChoice[] = ['auto', 'fp32', 'int8'];

/** How inference is laid out on one device: graph variant, tiling and parallelism. */
export interface DeviceProfile {
  readonly provider: ExecutionProviderName;
  /** Emit ONNX Runtime's fused attention/LayerNorm/GELU operators. */
  readonly fused: boolean;
  readonly precision: Precision;
  /** Store weights as float16 (GPU memory and bandwidth; compute stays float32). */
  readonly float16Weights: boolean;
  /** Tile side in input pixels; 0 runs each image whole. */
  readonly tileSize: number;
  readonly tileOverlap: number;
  /** Tiles stacked into one model run. */
  readonly tilesPerRun: number;
  /** Sessions running tiles at the same time (each in its own worker thread on the CPU). */
  readonly sessions: number;
  /** Intra-op threads of each session (0: ONNX Runtime's default). */
  readonly threadsPerSession: number;
}

/** What the user chose (undefined: the device's default) and what the machine has. */
export interface ProfileRequest {
  readonly tileSize: number | undefined;
  readonly tileOverlap: number | undefined;
  readonly precision: PrecisionChoice;
  /** Total CPU threads for inference; 0 means one per core. */
  readonly threads: number;
  /** Cores the process may use (`os.availableParallelism()`). */
  readonly cores: number;
}

// Measured with `swinup bench` (packages/core/BENCHMARKS.md): on the CPU, attention in chunks of windows
// keeps its scores in each core's cache, which makes the cost per pixel about flat from 64- to 192-pixel
// tiles, so tiles up to 192 pixels waste the least on overlap (the tile planner splits small images so
// every session has a tile). One single-threaded session per core beats one session spreading each small
// operator over all cores. ONNX Runtime's fused attention is slower than plain MatMul/Softmax for SwinIR's
// 10-wide heads on the CPU, so the CPU graph is the plain one. GPUs want large batches of large tiles and
// the fused kernels.
const CPU_TILE = 192;
const CPU_OVERLAP = 8;
const GPU_TILE = 256;
const GPU_OVERLAP = 16;
const GPU_TILES_PER_RUN = 4;
/** More sessions than this add memory without adding throughput; extra cores become intra-op threads. */
const MAX_CPU_SESSIONS = 8;
/** Default CPU precision: int8 linear layers lose 0.0001 dB on Set5 (≤ 0.05 dB, the bar for a default). */
const CPU_DEFAULT_PRECISION: Precision = 'int8';

/** The inference layout for `provider`, with the user's explicit choices applied. Pure. */
export function deviceProfile(provider: ExecutionProviderName, request: ProfileRequest): DeviceProfile {
  const gpu = provider === 'cuda';
  const tileSize = request.tileSize ?? (gpu ? GPU_TILE : CPU_TILE);
  const tileOverlap = request.tileOverlap ?? (gpu ? GPU_OVERLAP : CPU_OVERLAP);
  if (tileSize > 0 && tileOverlap * 2 >= tileSize) {
    throw invalidOption('tileOverlap', tileOverlap, `less than half of tileSize (${tileSize})`);
  }
  if (gpu) {
    return {
      provider,
      fused: true,
      precision: request.precision === 'auto' ? 'fp32' : request.precision,
      float16Weights: true,
      tileSize,
      tileOverlap,
      tilesPerRun: GPU_TILES_PER_RUN,
      sessions: 1,
      threadsPerSession: request.threads,
    };
  }
  const threads = request.threads > 0 ? request.threads : Math.max(1, request.cores);
  const sessions = Math.min(threads, MAX_CPU_SESSIONS);
  return {
    provider,
    fused: false,
    precision: request.precision === 'auto' ? CPU_DEFAULT_PRECISION : request.precision,
    float16Weights: false,
    tileSize,
    tileOverlap,
    tilesPerRun: 1,
    sessions,
    threadsPerSession: Math.floor(threads / sessions),
  };
}
