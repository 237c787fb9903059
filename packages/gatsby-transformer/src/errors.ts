import type { SwinupErrorCode } from '@swinup/core';
import type { Reporter } from 'gatsby';
import { type ImageFileNode, nameOf } from './upscaled-file.js';

/** Ids of this plugin's entries in Gatsby's error map (Gatsby prefixes them with the plugin name). */
export const ERROR_IDS = {
  /** Something the user fixes: an unreadable or too large image, an unknown model, a bad setting. */
  user: '40001',
  /** Something the system failed at: inference, the device, writing the result. */
  system: '40002',
} as const;

/** What an error map entry shows for the context a report passes. */
interface ImageErrorContext {
  readonly file: string;
  readonly reason: string;
}

// The core's codes that a user fixes in their own files or config; the rest are faults of the system.
const USER_CODES: ReadonlySet<SwinupErrorCode> = new Set([
  'INVALID_OPTION',
  'INVALID_IMAGE',
  'IMAGE_TOO_LARGE',
  'MODEL_NOT_FOUND',
  'CHECKPOINT_FORMAT',
  'UNKNOWN_ARCHITECTURE',
]);

const imageErrorText = ({ file, reason }: ImageErrorContext) => `swinup could not upscale ${file}: ${reason}`;

/** Gatsby's error map of this plugin. */
export const ERROR_MAP: Parameters<Reporter['setErrorMap']>[0] = {
  [ERROR_IDS.user]: { text: imageErrorText, level: 'ERROR', type: 'PLUGIN', category: 'USER' },
  [ERROR_IDS.system]: { text: imageErrorText, level: 'ERROR', type: 'PLUGIN', category: 'SYSTEM' },
};

/**
 * Fails the build (or, under `gatsby develop`, shows the error) for an image that could not be upscaled:
 * the error map's message names the file and the reason, never a bare stack.
 */
export function reportImageError(reporter: Reporter, image: ImageFileNode, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  const id = USER_CODES.has(code as SwinupErrorCode) ? ERROR_IDS.user : ERROR_IDS.system;
  // Registered here, not in onPreInit: query workers, where lazy upscales fail, never run onPreInit.
  reporter.setErrorMap(ERROR_MAP);
  reporter.panicOnBuild({ id, context: { file: nameOf(image), reason }, filePath: image.absolutePath });
}
