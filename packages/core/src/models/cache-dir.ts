import { homedir } from 'node:os';
import { join } from 'node:path';

/** The cache folder: the given one, else SWINUP_CACHE, else the platform's user cache folder. */
export function resolveCacheDir(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (explicit !== undefined) return explicit;
  if (env.SWINUP_CACHE) return env.SWINUP_CACHE;
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'swinup', 'Cache');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'swinup');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'swinup');
}
