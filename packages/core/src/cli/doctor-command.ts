import { availableParallelism, cpus } from 'node:os';
import { codecVersions } from '../io/image-codec.js';
import { resolveCacheDir } from '../models/cache-dir.js';
import { loadCatalog } from '../models/model-catalog.js';
import { checkpointPathOf, isInstalled } from '../models/model-layout.js';
import { CORE_VERSION } from '../package-info.js';
import {
  type CudaProviderFiles,
  cudaProviderAdvice,
  cudaProviderFiles,
} from '../runtime/cuda-provider-files.js';
import { chooseDevice } from '../runtime/device-choice.js';
import { deviceProfile } from '../runtime/device-profile.js';
import type { ExecutionProviderName } from '../runtime/execution-provider.js';
import { availableBackends, probeProvider, runtimeVersion } from '../runtime/onnx-session.js';
import { probeModel } from '../runtime/probe-model.js';
import type { CommandIO } from './command-io.js';

/** Help text of `swinup doctor`. */
export const DOCTOR_HELP = `Usage: swinup doctor [--json]

Prints versions, the execution providers that load on this machine and the one "--device auto" picks,
whether onnxruntime-node's CUDA provider files are installed (and how to get them), threads, the model cache
folder and the installed models.`;

/** What doctor inspects besides the files it reports on; injectable so tests see a chosen machine. */
export interface DoctorProbes {
  /** Whether a provider loads here, and if not, why (default: loads a one-node model on it). */
  readonly probe?: (provider: ExecutionProviderName) => Promise<{ ok: boolean; reason?: string }>;
  /** Which CUDA provider files onnxruntime-node has (default: looks in its installed package). */
  readonly cudaFiles?: () => CudaProviderFiles;
}

/** `swinup doctor`: what swinup sees on this machine. */
export async function doctorCommand(
  argv: string[],
  io: CommandIO,
  probes: DoctorProbes = {},
): Promise<number> {
  const catalog = loadCatalog();
  const cacheDir = resolveCacheDir(undefined);
  const probe = probes.probe ?? ((name) => probeProvider(probeModel(), name));
  const providers = await Promise.all(
    (['cuda', 'cpu'] as const).map(async (name) => ({ name, ...(await probe(name)) })),
  );
  const cudaFiles = (probes.cudaFiles ?? cudaProviderFiles)();
  const report = {
    swinup: CORE_VERSION,
    node: process.versions.node,
    onnxruntime: runtimeVersion(),
    ...codecVersions(),
    backends: availableBackends(),
    providers,
    auto: await autoChoice(providers),
    cudaProviderFiles: cudaFiles,
    cpu: cpus()[0]?.model ?? 'unknown',
    threads: availableParallelism(),
    layouts: providers
      .filter((p) => p.ok)
      .map((p) =>
        deviceProfile(p.name, {
          tileSize: undefined,
          tileOverlap: undefined,
          precision: 'auto',
          threads: 0,
          cores: availableParallelism(),
        }),
      ),
    cacheDir,
    modelsDir: catalog.modelsDir,
    installed: catalog.models
      .filter((m) => isInstalled(m, catalog, cacheDir))
      .map((m) => ({ id: m.id, scale: m.scale, task: m.task, path: checkpointPathOf(m, catalog, cacheDir) })),
  };
  if (argv.includes('--json')) {
    io.out(JSON.stringify(report, null, 2));
    return 0;
  }
  io.out(
    `swinup ${report.swinup} (node ${report.node}, onnxruntime ${report.onnxruntime}, sharp ${report.sharp}, libvips ${report.libvips})`,
  );
  io.out(`cpu: ${report.cpu}, ${report.threads} threads`);
  for (const p of providers)
    io.out(`provider ${p.name}: ${p.ok ? 'available' : `unavailable (${p.reason})`}`);
  io.out(`device auto: ${report.auto}`);
  const cudaLoads = providers.some((p) => p.name === 'cuda' && p.ok);
  for (const line of cudaProviderAdvice(cudaFiles, cudaLoads)) io.out(line);
  for (const l of report.layouts) {
    io.out(
      `${l.provider} layout: ${l.fused ? 'fused' : 'plain'} graph, ${l.precision}, tiles up to ${l.tileSize} px ` +
        `overlapping ${l.tileOverlap}, ${l.tilesPerRun} per run, ${l.sessions} session(s)`,
    );
  }
  const source = process.env.SWINUP_MODELS_DIR ? 'SWINUP_MODELS_DIR' : 'the @swinup/models package';
  io.out(`model catalog: ${catalog.modelsDir} (${source})`);
  io.out(`model cache: ${cacheDir}`);
  io.out(
    `installed models: ${report.installed.map((m) => `${m.id} (×${m.scale} ${m.task})`).join(', ') || 'none'}`,
  );
  return 0;
}

/** The info line `swinup --verbose` prints for `device: 'auto'`, decided from doctor's probes. */
async function autoChoice(
  providers: readonly { name: ExecutionProviderName; ok: boolean; reason?: string }[],
) {
  let line = '';
  const note = (message: string) => {
    line = message;
  };
  try {
    await chooseDevice('auto', { debug: note, info: note, warn: note }, async (name) => {
      const probed = providers.find((p) => p.name === name);
      if (!probed?.ok) throw new Error(probed?.reason);
    });
  } catch (error) {
    line = (error as Error).message;
  }
  return line;
}
