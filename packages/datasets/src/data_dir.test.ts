import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir } from './data_dir.js';

describe('defaultDataDir', () => {
  const saved = { DDAR_DATA_DIR: process.env.DDAR_DATA_DIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('prefers DDAR_DATA_DIR, then XDG_CACHE_HOME/ddar, then ~/.cache/ddar', () => {
    process.env.DDAR_DATA_DIR = '/data/ddar';
    process.env.XDG_CACHE_HOME = '/xdg';
    expect(defaultDataDir()).toBe('/data/ddar');
    delete process.env.DDAR_DATA_DIR;
    expect(defaultDataDir()).toBe(join('/xdg', 'ddar'));
    delete process.env.XDG_CACHE_HOME;
    if (process.platform !== 'win32') expect(defaultDataDir()).toBe(join(homedir(), '.cache', 'ddar'));
  });
});
