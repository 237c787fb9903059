import { availableParallelism, cpus } from 'node:os';
import { codecVersions } from '../io/image-codec.js';
import { resolveCacheDir } from '../models/cache-dir.js';
import { loadCatalog } from '../models/model-catalog.js';
import { checkpointPathOf, isInstalled } from '../models/model-store.js';
import { CORE_VERSION } from '../package-info.js';
import { deviceProfile } from '../runtime/device-profile.js';
import { availableBackends, probeProvider, runtimeVersion } from '../runtime/onnx-session.js';
import { probeModel } from '../runtime/probe-model.js';
import type { CommandIO } from './command-io.js';

/** Help text of `swinup doctor`. */
export const DOCTOR_HELP = `Usage: swinup doctor [--json]

Prints versions, the execution providers that load on this machine, threads, the model cache folder and the
installed models.`;

/** `swinup doctor`: what swinup sees on this machine. */
export async function doctorCommand(argv: string[], io: CommandIO): Promise<number> {
  const catalog = loadCatalog();
  const cacheDir = resolveCacheDir(undefined);
  const providers = await Promise.all(
    (['cuda', 'cpu'] as const).map(async (name) => ({
      name,
      ...(await probeProvider(probeModel(), name)),
    })),
  );
  const report = {
    swinup: CORE_VERSION,
    node: process.versions.node,
    onnxruntime: runtimeVersion(),
    ...codecVersions(),
    backends: availableBackends(),
    providers,
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
  for (const l of report.layouts) {
    io.out(
      `${l.provider} layout: ${l.fused ? 'fused' : 'plain'} graph, ${l.precision}, tiles up to ${l.tileSize} px ` +
        `overlapping ${l.tileOverlap}, ${l.tilesPerRun} per run, ${l.sessions} session(s)`,
    );
  }
  io.out(`model cache: ${cacheDir}`);
  io.out(
    `installed models: ${report.installed.map((m) => `${m.id} (×${m.scale} ${m.task})`).join(', ') || 'none'}`,
  );
  return 0;
}
