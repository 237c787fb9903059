import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The libraries onnxruntime-node needs for its CUDA provider, per `platform/arch`. They are too large for
 * npm, so its postinstall script downloads them (see its script/install-metadata.js); only Linux x64 has them.
 */
const CUDA_PROVIDER_FILES: Readonly<Record<string, readonly string[]>> = {
  'linux/x64': ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'],
};

/**
 * Reruns onnxruntime-node's postinstall with the CUDA files requested. `npm rebuild` reruns it (a plain
 * `npm install` of an installed package does not); approving it first keeps npm ≥ 11.19, which reviews
 * dependency install scripts, from skipping it. The variable beats an `onnxruntime-node-install=skip` in .npmrc.
 */
export const CUDA_FILES_INSTALL_COMMAND =
  'npm install-scripts approve onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node';

/** The same for a global install, which has no package.json to record the approval in. */
export const CUDA_FILES_GLOBAL_INSTALL_COMMAND =
  'npm config set allow-scripts=onnxruntime-node --location=user && ' +
  'ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild -g onnxruntime-node';

/** What the CUDA provider needs besides its files. */
export const CUDA_SYSTEM_REQUIREMENTS =
  'an NVIDIA GPU and driver (check with nvidia-smi), and the CUDA 12 runtime and cuDNN 9 libraries on LD_LIBRARY_PATH';

/** Where to look for the files; every field defaults to this process and the onnxruntime-node core uses. */
export interface CudaFilesLocation {
  /** Default: `process.platform`. */
  readonly platform?: string;
  /** Default: `process.arch`. */
  readonly arch?: string;
  /** onnxruntime-node's native folder; default: found from its package.json (undefined: not installed). */
  readonly binDir?: string | undefined;
  /** Default: `fs.existsSync`. */
  readonly exists?: (path: string) => boolean;
}

/** Which of the CUDA provider's files are in place. */
export interface CudaProviderFiles {
  /** False where onnxruntime-node has no CUDA provider at all (everywhere but Linux x64). */
  readonly supported: boolean;
  /** onnxruntime-node's native folder, where the files belong; undefined when onnxruntime-node is not found. */
  readonly dir: string | undefined;
  readonly present: readonly string[];
  readonly missing: readonly string[];
}

/**
 * onnxruntime-node's native folder (`bin/napi-v<N>/<platform>/<arch>`), resolved from this module the way
 * core's own import resolves the package; undefined when it cannot be found.
 */
export function onnxruntimeBinDir(platform: string = process.platform, arch: string = process.arch) {
  try {
    const manifest = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    const napi = (JSON.parse(readFileSync(manifest, 'utf8')) as { binary?: { napi_versions?: number[] } })
      .binary?.napi_versions;
    // The binding loads the highest N-API build it ships (6 in every release so far).
    const version = napi !== undefined && napi.length > 0 ? Math.max(...napi) : 6;
    return join(dirname(manifest), 'bin', `napi-v${version}`, platform, arch);
  } catch {
    return undefined;
  }
}

/** Checks which CUDA provider files onnxruntime-node has; paths and the file test are injectable for tests. */
export function cudaProviderFiles(location: CudaFilesLocation = {}): CudaProviderFiles {
  const platform = location.platform ?? process.platform;
  const arch = location.arch ?? process.arch;
  const files = CUDA_PROVIDER_FILES[`${platform}/${arch}`];
  const dir = 'binDir' in location ? location.binDir : onnxruntimeBinDir(platform, arch);
  if (files === undefined) return { supported: false, dir, present: [], missing: [] };
  const exists = location.exists ?? existsSync;
  const present = dir === undefined ? [] : files.filter((f) => exists(join(dir, f)));
  return { supported: true, dir, present, missing: files.filter((f) => !present.includes(f)) };
}

/**
 * Lines that explain the CUDA provider's state: where its files are or how to get them, and what else it
 * needs when it does not load. `cudaLoads` is whether a session on the CUDA provider could be created.
 */
export function cudaProviderAdvice(files: CudaProviderFiles, cudaLoads: boolean): string[] {
  const where = files.dir ?? 'onnxruntime-node (not found)';
  if (!files.supported)
    return ['cuda provider: onnxruntime-node has none for this platform (Linux x64 only)'];
  if (files.missing.length === 0) {
    const state = `cuda provider files: present in ${where}`;
    return cudaLoads ? [state] : [state, `  cuda still needs ${CUDA_SYSTEM_REQUIREMENTS}`];
  }
  return [
    `cuda provider files: missing from ${where} (${files.missing.join(', ')})`,
    `  get them: ${CUDA_FILES_INSTALL_COMMAND}`,
    `  (global install: ${CUDA_FILES_GLOBAL_INSTALL_COMMAND})`,
    `  cuda also needs ${CUDA_SYSTEM_REQUIREMENTS}`,
  ];
}
