import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bridge, type BridgeOptions, startBridge } from '../../src/bridge/index.js';

/**
 * A bridge on a free loopback port with its own temporary swinup cache (compiled graphs land there).
 * Small tiles make progress visible and cancels quick on a CPU; images stay tiny so tests stay fast.
 */
export async function startTestBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'swinup-figma-test-'));
  const bridge = await startBridge({
    port: 0,
    ...options,
    upscaler: { cacheDir, tileSize: 32, tileOverlap: 4, ...options.upscaler },
  });
  return {
    ...bridge,
    get queue() {
      return bridge.queue;
    },
    async close() {
      await bridge.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** Headers that carry the bridge's token. */
export function authorised(bridge: Bridge, headers: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${bridge.token}`, ...headers };
}
