import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BrowserCheckOptions, BrowserCheckResult } from './page/result.js';
import { CHROMIUM_INSTALL_HINT, findChromium } from './test-utils/find_chromium.js';
import { serveFiles, type StaticFile, type StaticServer } from './test-utils/static_server.js';

// The packages as a web application uses them: the page's program (page/main.ts) bundled by esbuild for the browser from
// the built packages (their "browser" export condition), served from 127.0.0.1 and run in headless Chromium.

const chromiumPath = findChromium();
if (chromiumPath === undefined) {
  if (process.env.CI) {
    test('Chromium is installed on CI', () => {
      throw new Error(`The headless Chromium check needs a browser: ${CHROMIUM_INSTALL_HINT}`);
    });
  } else {
    console.warn(`Skipping the headless Chromium check: ${CHROMIUM_INSTALL_HINT}`);
  }
}

/** The packages with a browser build of their own; the others have one build for every platform. */
const BROWSER_BUILDS = ['backend', 'datasets', 'training'];

/** The page's program as one ES module, and which files went into it. */
async function bundlePage(): Promise<{ code: string; inputs: Metafile['inputs'] }> {
  try {
    const result = await build({
      entryPoints: [join(__dirname, 'page', 'main.ts')],
      absWorkingDir: join(__dirname, '..'),
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return { code: result.outputFiles[0].text, inputs: result.metafile.inputs };
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors ?? [];
    const lines = errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text));
    throw new Error(`esbuild could not bundle the page for the browser (are the packages built? pnpm build):\n${lines.join('\n')}`);
  }
}

/** tfjs-backend-wasm's binaries, which a bundler leaves out: the page points setWasmPaths at /wasm/. */
function wasmFiles(): Array<[string, StaticFile]> {
  const dist = join(dirname(createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  return readdirSync(dist)
    .filter((name) => name.endsWith('.wasm'))
    .map((name) => [`/wasm/${name}`, { body: readFileSync(join(dist, name)), type: 'application/wasm' }]);
}

(chromiumPath === undefined ? describe.skip : describe)('the packages in headless Chromium', () => {
  let inputs: Metafile['inputs'];
  let server: StaticServer;
  let browser: Browser;
  let page: Page;
  const pageLog: string[] = [];

  beforeAll(async () => {
    const bundle = await bundlePage();
    inputs = bundle.inputs;
    const files = new Map<string, StaticFile>([
      ['/index.html', { body: '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>DDAR</title><script type="module" src="main.js"></script>', type: 'text/html' }],
      ['/main.js', { body: bundle.code, type: 'text/javascript' }],
      ...wasmFiles(),
    ]);
    server = await serveFiles(files);
    // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage();
    page.on('console', (message) => pageLog.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => pageLog.push(`page error: ${error.message}`));
    await page.goto(server.url);
    await page.waitForFunction(() => 'ddarBrowserCheck' in window, undefined, { timeout: 30000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function runPage(options: BrowserCheckOptions): Promise<BrowserCheckResult> {
    try {
      return await page.evaluate(
        (o) => (window as unknown as { ddarBrowserCheck(o: BrowserCheckOptions): Promise<BrowserCheckResult> }).ddarBrowserCheck(o),
        options,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\nthe page's console:\n${pageLog.join('\n')}\nnot served: ${server.missing.join(', ')}`);
    }
  }

  it("bundles the packages' browser builds, which import no Node.js built-in", () => {
    const files = Object.keys(inputs);
    for (const name of BROWSER_BUILDS) {
      expect(files).toContain(`../../packages/${name}/dist/browser.js`);
      expect(files).not.toContain(`../../packages/${name}/dist/index.js`);
    }
    // esbuild fails on a Node.js built-in it cannot resolve for the browser; none is left unresolved either.
    expect(files.filter((f) => f.startsWith('node:') || f.startsWith('(disabled):node'))).toEqual([]);
  });

  /** What every run must show, whichever backend it ran on. */
  function expectTrainedAttackedReloaded(result: BrowserCheckResult): void {
    console.log(
      `headless Chromium ${browser.version()}: initBackend took ${result.backend} (${result.reason}); WebGL version ${result.webglVersion}; ` +
        `epoch losses ${result.losses.map((l) => l.toFixed(3)).join(', ')}; clean accuracy ${result.cleanAccuracy.toFixed(3)}, ` +
        `under PGD ${result.robustAccuracy.toFixed(3)}; seconds: ${Object.entries(result.seconds).map(([what, s]) => `${what} ${s.toFixed(1)}`).join(', ')}`,
    );
    expect(result.steps).toBe(9);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    // By a margin: an untrained model's epoch means differ too, in the last digits, as its batches do.
    expect(result.losses[result.losses.length - 1]).toBeLessThan(0.75 * result.losses[0]);
    // Learned something, so that the attack has something to break.
    expect(result.cleanAccuracy).toBeGreaterThan(0.5);
    expect(result.robustAccuracy).toBeLessThanOrEqual(result.cleanAccuracy);
    expect(result.stored).toContain('indexeddb://ddar-browser-check');
    expect(result.reloaded).toHaveLength(48 * 4);
    expect(result.reloaded).toEqual(result.original);
    expect(result.errors.saveModel).toMatch(/which only Node\.js has; in a browser save with model\.save\('indexeddb:\/\/<name>'\)/);
    expect(result.errors.dataParallel).toMatch(/^train: config\.dataParallel asks for 1 worker thread\(s\), which this browser build does not have/);
    expect(result.errors.shardedAttack).toMatch(/^shardedRobustAccuracy shares attacks among Node\.js worker threads/);
    expect(result.tensorsLeft).toBe(0);
    expect(server.missing).toEqual([]);
  }

  it("trains a DDAR model on initBackend's choice, attacks it with PGD and reloads it from IndexedDB unchanged", async () => {
    const result = await runPage({ backend: 'auto', epochs: 3 });
    // webgl when this Chromium renders WebGL (in software, without a GPU), else wasm; never cpu, which would mean that
    // the .wasm files were not found.
    expect(result.backend).toBe(result.webglVersion > 0 ? 'webgl' : 'wasm');
    expectTrainedAttackedReloaded(result);
  });

  it('says where the .wasm files must be when they are not served', async () => {
    // A page of its own: a backend that failed to start is not tried again in the same page.
    const other = await browser.newPage();
    try {
      await other.goto(server.url);
      await other.waitForFunction(() => 'ddarWasmNotServed' in window, undefined, { timeout: 30000 });
      const message = await other.evaluate(() => (window as unknown as { ddarWasmNotServed(): Promise<string> }).ddarWasmNotServed());
      expect(message).toBe(
        "initBackend: backend 'wasm' was requested but failed to initialize. Its .wasm files must be served beside the page, " +
          "or where setWasmPaths (from '@tensorflow/tfjs-backend-wasm') says, before initBackend; see the browser console for the failed request.",
      );
      expect(server.missing.some((path) => path.startsWith('/not-served/'))).toBe(true);
    } finally {
      await other.close();
      server.missing.length = 0;
    }
  });

  it('does the same on wasm, its binaries where setWasmPaths says', async () => {
    const result = await runPage({ backend: 'wasm', epochs: 3 });
    expect(result.backend).toBe('wasm');
    expectTrainedAttackedReloaded(result);
  });
});
