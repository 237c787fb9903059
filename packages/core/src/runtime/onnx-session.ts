import * as ort from 'onnxruntime-node';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { cudaProviderFiles } from './cuda-provider-files.js';
import {
  chooseProvider,
  type Device,
  type ExecutionProviderName,
  errorReason,
  providerChoiceMessage,
} from './execution-provider.js';

// Sessions log fatal errors only (swinup reports failures itself); set per session, so ONNX Runtime's global
// `env` stays the host application's.
const QUIET = 4;

/** Settings of one inference session. */
export interface SessionSettings {
  /** Device choice; providers are tried in preference order. */
  readonly device: Device;
  /** Intra-op threads (0: ONNX Runtime's default). */
  readonly threads: number;
  /** Receives which provider was chosen and why others failed. */
  readonly logger?: Logger;
  /** `tuned` (default) or `ort-defaults`: ONNX Runtime's own defaults, the benchmark's plain baseline. */
  readonly profile?: SessionProfile;
}

/** Session option sets: swinup's tuned one, or ONNX Runtime's untouched defaults (for comparison). */
export type SessionProfile = 'tuned' | 'ort-defaults';

/**
 * The session options of a provider and profile. Tuned CPU sessions do not spin: ONNX Runtime's idle
 * workers otherwise busy-wait for work, which halves throughput whenever another process (or another
 * session) wants the same cores. Denormals are flushed: they only appear in near-zero attention weights.
 */
export function sessionOptions(
  provider: ExecutionProviderName,
  settings: Pick<SessionSettings, 'threads' | 'profile'>,
): ort.InferenceSession.SessionOptions {
  const executionProviders = [provider === 'cuda' ? { name: 'cuda', deviceId: 0 } : 'cpu'];
  if (settings.profile === 'ort-defaults') return { executionProviders, logSeverityLevel: QUIET };
  return {
    executionProviders,
    logSeverityLevel: QUIET,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: true,
    extra: { session: { set_denormal_as_zero: '1', intra_op: { allow_spinning: '0' } } },
  };
}

/** A loaded model that runs float32 NCHW batches. */
export interface InferenceRunner {
  /** The execution provider actually in use. */
  readonly provider: ExecutionProviderName;
  /** Runs that proceed at the same time when several are started without waiting (1: one at a time). */
  readonly parallelism: number;
  /** Runs one input tensor and returns the output tensor's data. */
  run(input: Float32Array, shape: readonly number[]): Promise<Float32Array>;
  /** Frees native resources. */
  release(): Promise<void>;
}

/** Names of the providers this onnxruntime-node build reports (bundled or loadable). */
export function availableBackends(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

/** The onnxruntime-node version in use. */
export function runtimeVersion(): string {
  return ort.env.versions.common ?? 'unknown';
}

/**
 * Creates a session from ONNX bytes, trying providers in preference order. onnxruntime-node throws
 * (instead of falling back) when a provider cannot load, so each failure is collected and reported.
 */
export async function createRunner(model: Uint8Array, settings: SessionSettings): Promise<InferenceRunner> {
  const { provider, loaded, failures } = await chooseProvider(settings.device, (p) =>
    createSession(model, p, settings),
  );
  // The pipeline passes the provider it already chose and announced; only a fallback here is news.
  if (failures.length > 0) (settings.logger ?? silentLogger).info(providerChoiceMessage(provider, failures));
  return wrap(loaded, provider);
}

/**
 * Opens a session on one provider. CUDA is not even tried when onnxruntime-node lacks its provider files:
 * ONNX Runtime would print the failed library load to stderr through its process-wide logger.
 */
function createSession(
  model: Uint8Array,
  provider: ExecutionProviderName,
  settings: Pick<SessionSettings, 'threads' | 'profile'>,
): Promise<ort.InferenceSession> {
  if (provider === 'cuda') {
    const files = cudaProviderFiles();
    if (!files.supported) throw new Error('onnxruntime-node has no CUDA provider for this platform');
    if (files.missing.length > 0) {
      throw new Error(
        `its provider files are not installed (${files.missing.join(', ')} missing); see swinup doctor`,
      );
    }
  }
  return ort.InferenceSession.create(model, sessionOptions(provider, settings));
}

function wrap(session: ort.InferenceSession, provider: ExecutionProviderName): InferenceRunner {
  const inputName = session.inputNames[0] as string;
  const outputName = session.outputNames[0] as string;
  return {
    provider,
    parallelism: 1,
    async run(input, shape) {
      const feeds = { [inputName]: new ort.Tensor('float32', input, [...shape]) };
      const result = await session.run(feeds);
      const output = result[outputName] as ort.Tensor;
      return output.data as Float32Array;
    },
    release: () => session.release(),
  };
}

/** Loads `provider` with a given (tiny) model and frees it; rejects with the reason when it cannot run here. */
export async function checkProvider(model: Uint8Array, provider: ExecutionProviderName): Promise<void> {
  const session = await createSession(model, provider, { threads: 1 });
  await session.release();
}

/** Tries to load `provider` with a given (tiny) model: whether it works here, and if not, why. */
export async function probeProvider(
  model: Uint8Array,
  provider: ExecutionProviderName,
): Promise<{ ok: boolean; reason?: string }> {
  try {
    await checkProvider(model, provider);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: errorReason(error) };
  }
}
