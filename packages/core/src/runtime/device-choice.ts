import type { Logger } from '../logger.js';
import {
  chooseProvider,
  type Device,
  type ExecutionProviderName,
  providerChoiceMessage,
} from './execution-provider.js';
import { checkProvider } from './onnx-session.js';
import { probeModel } from './probe-model.js';

/** Resolves when a provider can run here; rejects with the reason when it cannot. */
export type ProviderCheck = (provider: ExecutionProviderName) => Promise<void>;

/** The real check: loads a one-node model on the provider. The CPU provider is built in and always loads. */
export const loadProviderCheck: ProviderCheck = async (provider) => {
  if (provider !== 'cpu') await checkProvider(probeModel(), provider);
};

const remembered = new Map<Device, ReturnType<typeof chooseProvider<void>>>();

/** The real probe runs once per device choice and process: every later upscaler gets the same answer. */
function rememberedChoice(device: Device): ReturnType<typeof chooseProvider<void>> {
  let choice = remembered.get(device);
  if (choice === undefined) {
    choice = chooseProvider(device, loadProviderCheck);
    // A failed choice (e.g. an explicit cuda without CUDA) is asked again next time.
    choice.catch(() => remembered.delete(device));
    remembered.set(device, choice);
  }
  return choice;
}

/**
 * Decides where inference runs for a device choice and logs it as one info line (the skipped providers'
 * reasons at debug), never a warning: `auto`
 * on a machine without CUDA is the normal CPU case. An explicit `cuda` that cannot load throws
 * DEVICE_UNAVAILABLE with the install hint instead of falling back. `check` is injectable for tests.
 */
export async function chooseDevice(
  device: Device,
  logger: Logger,
  check: ProviderCheck = loadProviderCheck,
): Promise<ExecutionProviderName> {
  const { provider, failures } = await (check === loadProviderCheck
    ? rememberedChoice(device)
    : chooseProvider(device, check));
  // Hosts show info by default; why CUDA was skipped is detail for --verbose and `swinup doctor`.
  logger.info(providerChoiceMessage(provider, []));
  if (failures.length > 0) logger.debug(providerChoiceMessage(provider, failures));
  return provider;
}
