import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How to get the browser these tests drive; CI does it in .ci/run. */
export const CHROMIUM_INSTALL_HINT = 'install Chromium (Debian: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome executable';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `CHROMIUM_PATH`, else the first Chromium or Chrome on the PATH; undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) {
    if (!executable(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable file`);
    return env.CHROMIUM_PATH;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    for (const name of NAMES) {
      if (executable(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}
