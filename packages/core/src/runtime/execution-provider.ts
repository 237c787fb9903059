import { SwinupError, type SwinupError as SwinupErrorType } from '../errors.js';

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

/** The warning when a later provider in the preference list is used because earlier ones failed. */
export function fallbackWarning(used: ExecutionProviderName, failures: readonly ProviderFailure[]): string {
  return `using ${used}: ${failures.map((f) => `${f.provider} unavailable (${f.reason})`).join('; ')}`;
}

/** How to get the CUDA provider, shown whenever it could not be loaded. */
export const CUDA_INSTALL_HINT =
  'Install the CUDA execution provider with `npm install onnxruntime-node --onnxruntime-node-install=cuda12` ' +
  '(or put onnxruntime-node-install=cuda12 in .npmrc and reinstall; npm must be allowed to run its install script). ' +
  'Also check that an NVIDIA GPU and driver are present (nvidia-smi), and that the CUDA 12 and cuDNN 9 libraries are on ' +
  'LD_LIBRARY_PATH. Use --device cpu (or SWINUP_DEVICE=cpu) to run on the CPU instead.';

/** The error for a device choice none of whose providers could be loaded, listing every failure. */
export function noProviderError(device: Device, failures: readonly ProviderFailure[]): SwinupErrorType {
  const reasons = failures.map((f) => `${f.provider}: ${f.reason}`).join('; ');
  const hint = failures.some((f) => f.provider === 'cuda') ? ` ${CUDA_INSTALL_HINT}` : '';
  return new SwinupError(
    'DEVICE_UNAVAILABLE',
    `no execution provider could run on device "${device}" (${reasons}).${hint}`,
  );
}
