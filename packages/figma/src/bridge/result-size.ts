// The result-size check lives in core's shared server; re-exported for the bridge's tests.
export type { ImageSize, ResultLimits } from '@swinup/core/server';
export { checkResultSize, headerSize } from '@swinup/core/server';
