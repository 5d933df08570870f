import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where downloaded datasets are cached: `$DDAR_DATA_DIR`, else `$XDG_CACHE_HOME/ddar`, else
 * `%LOCALAPPDATA%\ddar` on Windows, else `~/.cache/ddar`. Read on every call so tests and
 * long-running tools can change the environment variable.
 */
export function defaultDataDir(): string {
  const env = process.env;
  if (env.DDAR_DATA_DIR) return env.DDAR_DATA_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'ddar');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'ddar');
  return join(homedir(), '.cache', 'ddar');
}

export function dataDirOrDefault(cacheDir: unknown, where: string): string {
  if (cacheDir === undefined) return defaultDataDir();
  if (typeof cacheDir !== 'string' || cacheDir.length === 0) {
    throw new Error(`${where}: cacheDir must be a non-empty directory path, but got ${String(cacheDir)}`);
  }
  return cacheDir;
}
