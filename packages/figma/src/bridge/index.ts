/**
 * @swinup/figma — the local bridge that lets the swinup Figma plugin upscale on the designer's machine.
 * @packageDocumentation
 */

export type {
  ErrorResponse,
  HealthResponse,
  JobProgress,
  MainToUi,
  ModelsResponse,
  PluginScale,
  QueueStats,
  RunSummary,
  UiToMain,
  UpscaleJob,
} from '../messages.js';
export { FIGMA_ORIGINS } from './access-policy.js';
export type { Bridge, BridgeOptions } from './server.js';
export { BRIDGE_VERSION, DEFAULT_PORT, startBridge } from './server.js';
