import { SwinupError, type SwinupError as SwinupErrorType } from '../errors.js';
import { CUDA_FILES_INSTALL_COMMAND, CUDA_SYSTEM_REQUIREMENTS } from './cuda-provider-files.js';

/** Where inference runs: `auto` prefers CUDA and falls back to the CPU. */
export type Device = 'auto' | 'cuda' | 'cpu';

/** Execution providers swinup knows, in onnxruntime-node's names. */
export type ExecutionProviderName = 'cuda' | 'cpu';

/** All values `device` accepts. */
export const DEVICES: readonly Device[] = ['auto', 'cuda', 'cpu'];

/** The providers to try, in order, for a device choice. */
export function providerPreference(device: Device): ExecutionProviderName[] {
  if (device === 'auto') return ['cuda', 'cpu'];
  return [device];
}

/** One provider that could not be used, and why. */
export interface ProviderFailure {
  readonly provider: ExecutionProviderName;
  readonly reason: string;
}

/**
 * The one line that says which provider runs, and why earlier ones in the preference list did not. Info, not
 * a warning: `auto` running on the CPU is the normal case on machines without CUDA.
 */
export function providerChoiceMessage(
  used: ExecutionProviderName,
  failures: readonly ProviderFailure[],
): string {
  const skipped = failures.map((f) => `${f.provider} unavailable: ${f.reason}`).join('; ');
  return `inference runs on ${used}${skipped === '' ? '' : ` (${skipped})`}`;
}

/** The provider that loaded, what loading it returned, and the failures of the ones tried before it. */
export interface ProviderChoice<T> {
  readonly provider: ExecutionProviderName;
  readonly loaded: T;
  readonly failures: readonly ProviderFailure[];
}

/**
 * Tries a device's providers in preference order with `load` (which rejects when a provider cannot run
 * here) and returns the first that loads. When none does, throws DEVICE_UNAVAILABLE: an explicit `cuda`
 * never falls back to the CPU.
 */
export async function chooseProvider<T>(
  device: Device,
  load: (provider: ExecutionProviderName) => Promise<T>,
): Promise<ProviderChoice<T>> {
  const failures: ProviderFailure[] = [];
  for (const provider of providerPreference(device)) {
    try {
      return { provider, loaded: await load(provider), failures };
    } catch (error) {
      failures.push({ provider, reason: errorReason(error) });
    }
  }
  throw noProviderError(device, failures);
}

/** The first line of an error's message: native errors carry a stack of C++ frames after it. */
export function errorReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() || 'unknown reason';
}

/** How to get the CUDA provider, shown whenever an explicit CUDA request could not be met. */
export const CUDA_INSTALL_HINT =
  `Get onnxruntime-node's CUDA provider files with \`${CUDA_FILES_INSTALL_COMMAND}\`; CUDA also needs ` +
  `${CUDA_SYSTEM_REQUIREMENTS}. \`swinup doctor\` shows what is missing. Use --device cpu (or ` +
  'SWINUP_DEVICE=cpu) to run on the CPU instead.';

/** The error for a device choice none of whose providers could be loaded, listing every failure. */
export function noProviderError(device: Device, failures: readonly ProviderFailure[]): SwinupErrorType {
  const reasons = failures.map((f) => `${f.provider}: ${f.reason}`).join('; ');
  const hint = failures.some((f) => f.provider === 'cuda') ? ` ${CUDA_INSTALL_HINT}` : '';
  return new SwinupError(
    'DEVICE_UNAVAILABLE',
    `no execution provider could run on device "${device}" (${reasons}).${hint}`,
  );
}
