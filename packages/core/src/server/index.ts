/**
 * `@swinup/core/server`: the loopback upscale server that `swinup studio` and the Figma bridge share — token
 * check, Host and Origin policy, body and result limits, the job queue and the `/upscale`, `/jobs/{id}`, `/jobs/{id}/events`,
 * `/health` and `/models` routes. Importing it does not load ONNX Runtime until a server starts.
 * @packageDocumentation
 */

export type { Refusal } from './access-policy.js';
export { corsHeaders, refusalOf } from './access-policy.js';
export { HttpError, httpErrorOf } from './http-error.js';
export { JobQueue, QueueFullError } from './job-queue.js';
export { bearerToken, createPairingToken, MIN_TOKEN_LENGTH, tokenMatches } from './pairing-token.js';
export { readBody } from './request-body.js';
export type { ImageSize, ResultLimits } from './result-size.js';
export { checkResultSize, headerSize } from './result-size.js';
export type {
  ErrorResponse,
  HealthResponse,
  InstalledModel,
  JobEnd,
  JobProgress,
  ModelChoiceResponse,
  ModelsResponse,
  PullableModel,
  PullProgress,
  QueueStats,
} from './server-types.js';
export { upscaleRequestOf } from './upscale-request.js';
export type { ServerWording, UpscaleServer, UpscaleServerOptions } from './upscale-server.js';
export { sameOrigins, startUpscaleServer } from './upscale-server.js';
