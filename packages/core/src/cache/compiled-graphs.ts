/**
 * The on-disk cache of compiled graphs, `<cache>/compiled/`: one ONNX file per checkpoint, input shape
 * and graph variant, with a record beside it holding its config and hash.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { compileCheckpoint, GRAPH_FORMAT } from '../compiler.js';
import type { SwinIRConfig } from '../graph/swinir-config.js';
import type { InputShape, Precision } from '../graph/swinir-graph.js';
import { bytesSha256, fileSha256 } from '../models/file-hash.js';
import { type ModelHandle, notInstalled, readCheckpointFile } from '../models/model-layout.js';
import { CORE_VERSION } from '../package-info.js';

/** A compiled graph plus the config it was compiled from. */
export interface CompiledGraph {
  readonly onnx: Uint8Array;
  readonly config: SwinIRConfig;
}

/** Which graph variant to compile: see `CompileOptions`. */
export interface GraphVariant {
  readonly fused: boolean;
  readonly precision: Precision;
  readonly float16Weights: boolean;
}

/** Where compiled graphs are cached. */
function compiledDir(cacheDir: string): string {
  return join(cacheDir, 'compiled');
}

/** Deletes every compiled graph (all shapes and variants) of the checkpoint with SHA-256 `sha256`. */
export async function removeCompiledGraphs(sha256: string, cacheDir: string): Promise<void> {
  const dir = compiledDir(cacheDir);
  if (!existsSync(dir)) return;
  const prefix = `${sha256.slice(0, 24)}-`;
  const stale = (await readdir(dir)).filter((name) => name.startsWith(prefix));
  await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
}

/** What is stored beside a cached graph: its config, and its hash so a damaged graph is rebuilt, not run. */
interface GraphRecord {
  readonly config: SwinIRConfig;
  readonly onnxSha256: string;
}

/** A cached graph whose bytes still match the hash recorded beside them; anything else is rebuilt. */
async function readCachedGraph(onnxPath: string, recordPath: string): Promise<CompiledGraph | undefined> {
  try {
    const record = JSON.parse(await readFile(recordPath, 'utf8')) as Partial<GraphRecord>;
    const onnx = await readFile(onnxPath);
    if (record.config === undefined || record.onnxSha256 !== bytesSha256(onnx)) return undefined;
    return { onnx, config: record.config };
  } catch {
    return undefined;
  }
}

/**
 * The ONNX model of `handle` for `shape`, from the on-disk cache when present. The cache key is the
 * checkpoint's hash, the shape, the graph variant, the graph format and the core version, so a change in
 * any recompiles.
 */
export async function compiledGraph(
  handle: ModelHandle,
  shape: InputShape,
  cacheDir: string,
  variant: GraphVariant,
): Promise<CompiledGraph> {
  if (!existsSync(handle.checkpointPath)) {
    throw notInstalled(handle);
  }
  const hash = await fileSha256(handle.checkpointPath);
  const weights = variant.float16Weights ? 'fp16w' : 'fp32w';
  const ops = variant.fused ? 'fused' : 'plain';
  const key = `${hash.slice(0, 24)}-${shape.join('x')}-${ops}-${variant.precision}-${weights}-r${handle.imgRange ?? 'auto'}-${GRAPH_FORMAT}-v${CORE_VERSION}`;
  const dir = compiledDir(cacheDir);
  const onnxPath = join(dir, `${key}.onnx`);
  const configPath = join(dir, `${key}.json`);
  const cached = await readCachedGraph(onnxPath, configPath);
  if (cached !== undefined) return cached;
  const compiled = compileCheckpoint(await readCheckpointFile(handle.checkpointPath), {
    shape,
    ...(handle.imgRange === undefined ? {} : { imgRange: handle.imgRange }),
    ...variant,
    producerVersion: CORE_VERSION,
  });
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(onnxPath, compiled.onnx);
  const record: GraphRecord = { config: compiled.config, onnxSha256: bytesSha256(compiled.onnx) };
  await writeFileAtomic(configPath, JSON.stringify(record));
  return { onnx: compiled.onnx, config: compiled.config };
}
