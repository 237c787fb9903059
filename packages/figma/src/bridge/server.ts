import { readFileSync } from 'node:fs';
import type { Logger, UpscalerOptions } from '@swinup/core';
import { startUpscaleServer, type UpscaleServer } from '@swinup/core/server';
import { FIGMA_ORIGINS } from './access-policy.js';

/** The port the Figma plugin's manifest allows; change both together. */
export const DEFAULT_PORT = 47110;
/** Figma keeps images at most 4096 px a side, so larger results are of no use to the plugin. */
const DEFAULT_MAX_PIXELS = 4096 * 4096;

/** Version of the bridge (the @swinup/figma package). */
export const BRIDGE_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** Settings of {@link startBridge}. */
export interface BridgeOptions {
  /** Loopback port; 0 picks a free one (default {@link DEFAULT_PORT}). */
  port?: number;
  /** Pairing token clients must send as `Authorization: Bearer <token>` (default: a random one). */
  token?: string;
  /** Images upscaled at the same time (default 1: inference already uses every core). */
  concurrency?: number;
  /** Images that may wait for a slot; more are refused with 503 (default 256). */
  maxWaiting?: number;
  /** Largest request body in bytes; larger ones get 413 (default 32 MiB). */
  maxBodyBytes?: number;
  /** Largest result in pixels; images that would exceed it get 422 (default 4096 × 4096). */
  maxPixels?: number;
  /** Browser origins allowed besides requests without an Origin (default {@link FIGMA_ORIGINS}). */
  allowedOrigins?: readonly string[];
  /** How the bridge's upscaler is made: model, device, threads, tiling, cache folder. */
  upscaler?: Omit<UpscalerOptions, 'maxOutputPixels' | 'logger'>;
  /** Receives request and job notes; silent by default. */
  logger?: Logger;
}

/** A running bridge. */
export type Bridge = UpscaleServer;

/**
 * Starts the bridge: core's upscale server (`@swinup/core/server`) with the Figma plugin's port, origins and
 * limits. It loads the model, then serves `GET /health`, `GET /models`, `GET /jobs/{id}` and `POST /upscale`
 * on 127.0.0.1 only. Every request but a CORS preflight (which browsers send without credentials, and which
 * does nothing) needs the pairing token.
 */
export function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  return startUpscaleServer({
    ...options,
    port: options.port ?? DEFAULT_PORT,
    version: BRIDGE_VERSION,
    wording: {
      noun: 'the bridge',
      program: 'swinup-bridge',
      originRule: 'the swinup bridge; only the Figma plugin may',
    },
    allowedOrigins: options.allowedOrigins ?? FIGMA_ORIGINS,
    maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
  });
}
