import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { chromium, type Browser, type Page } from 'playwright-core';
import { initBackend } from '@ddar/backend';
import { asModel, FGSM, PGD, robustAccuracy } from '@ddar/attacks';
import { rotate } from '@ddar/datasets';
import { CURVE_BATCH, CURVE_EPSILONS, PGD_SEED } from './attack_settings.js';
// The Chromium lookup and the static server of apps/browser-check, so that both Chromium suites drive the same browser.
import { CHROMIUM_INSTALL_HINT, findChromium } from '../../browser-check/src/test-utils/find_chromium.js';
import { digitsTensor, loadDigitsFromDisk, loadModelsFromDisk } from './test-utils/node_assets.js';
import { serveDirectory, type StaticServer } from '../../browser-check/src/test-utils/static_server.js';

// The built app (dist/, what any static host would serve) in headless Chromium, driven as a person would: through its
// controls, by keyboard where it can. What the page shows is checked against what the packages compute in Node.js on
// wasm for the same models and inputs.

const APP = join(__dirname, '..');
const DIST = join(APP, 'dist');
/** Screenshots of every run; PLAYGROUND_SCREENSHOTS=<dir> writes them there too (the docs' copy: docs/images). */
const OUTPUT = join(APP, 'test-output');
/** The known test digit: #4 of the MNIST test set, a 4. */
const DIGIT = 4;
const LABEL = 4;

const chromiumPath = findChromium();
if (chromiumPath === undefined) {
  if (process.env.CI) {
    test('Chromium is installed on CI', () => {
      throw new Error(`The playground's headless Chromium test needs a browser: ${CHROMIUM_INSTALL_HINT}`);
    });
  } else {
    console.warn(`Skipping the playground's headless Chromium test: ${CHROMIUM_INSTALL_HINT}`);
  }
}

interface PlotPoint {
  model: string;
  epsilon: number;
  accuracy: number;
}

const argmax = (values: ArrayLike<number>) => Array.from(values).indexOf(Math.max(...Array.from(values)));

(chromiumPath === undefined ? describe.skip : describe)('the playground in headless Chromium', () => {
  let server: StaticServer;
  let browser: Browser;
  let models: Awaited<ReturnType<typeof loadModelsFromDisk>>;
  const digits = loadDigitsFromDisk();
  const pageLog: string[] = [];
  const started = Date.now();

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html'))) {
      throw new Error(`${DIST} has no built app: build it first (pnpm --filter @ddar/playground build; pnpm test does it through turbo)`);
    }
    await initBackend({ backend: 'wasm', log: false });
    models = await loadModelsFromDisk();
    server = await serveDirectory(DIST);
    // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    models?.baseline.dispose();
    models?.ddar.dispose();
    console.log(`the playground's Chromium test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  async function open(query: string, viewport = { width: 1280, height: 900 }, on: Browser = browser): Promise<Page> {
    const page = await on.newPage({ viewport });
    page.on('console', (message) => pageLog.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => pageLog.push(`page error: ${error.message}`));
    await page.goto(`${server.url}${query}`);
    try {
      await page.waitForSelector('#app[data-ready="true"]', { timeout: 60000 });
    } catch (error) {
      const status = await page.textContent('#backend-status').catch(() => '?');
      throw new Error(`the page did not start: ${status}\n${(error as Error).message}\nconsole:\n${pageLog.join('\n')}\nnot served: ${server.missing.join(', ')}`);
    }
    // The first attack runs once the page is idle; wait for it so that every test starts from a settled page.
    await page.waitForSelector('#attack-card[data-state="done"]', { timeout: 60000 });
    return page;
  }

  const renders = (page: Page) => page.$eval('#app', (app) => Number((app as HTMLElement).dataset.renders ?? 0));
  const probabilities = (page: Page, model: string) =>
    page.$eval(`#pred-${model} ol`, (list) => JSON.parse((list as HTMLElement).dataset.probabilities ?? '[]') as number[]);
  const numTensors = (page: Page) => page.evaluate(() => (window as unknown as { ddarPlayground: { numTensors(): number } }).ddarPlayground.numTensors());

  /** Waits until the page has drawn again after `before` renders and no render is pending. */
  async function settled(page: Page, before: number): Promise<void> {
    await page.waitForFunction((n) => Number(document.getElementById('app')!.dataset.renders) > n, before);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  }

  async function attackDone(page: Page, attack: string, epsilon: number): Promise<void> {
    await page.waitForSelector(`#attack-card[data-state="done"][data-attack="${attack}"][data-epsilon="${epsilon}"]`, { timeout: 60000 });
  }

  /** Sets a slider by keyboard, as a person without a mouse would: Home, then arrow presses. */
  async function slideTo(page: Page, id: string, presses: number, key = 'ArrowRight'): Promise<void> {
    await page.focus(`#${id}`);
    await page.keyboard.press('Home');
    for (let i = 0; i < presses; i++) await page.keyboard.press(key);
  }

  /** Node.js's softmax of a model on a batch, on wasm. */
  function nodeProbabilities(model: { classify(x: tf.Tensor4D): tf.Tensor2D }, images: tf.Tensor4D): number[] {
    return tf.tidy(() => Array.from(tf.softmax(model.classify(images)).dataSync()));
  }

  it('predicts a test digit, follows the rotation slider, and FGSM at ε = 0.3 fools the baseline, all as the packages do in Node.js; reads a drawing', async () => {
    const page = await open('?backend=wasm');
    try {
      expect(await page.getAttribute('#backend-status', 'data-backend')).toBe('wasm');
      const tensorsAtStart = await numTensors(page);

      // Feed the known digit through the picker.
      let before = await renders(page);
      await page.selectOption('#digit', String(DIGIT));
      await settled(page, before);
      const digit = digitsTensor(digits.pixels, DIGIT, 1);
      const clean: Record<string, number[]> = {};
      for (const name of ['baseline', 'ddar'] as const) {
        clean[name] = await probabilities(page, name);
        expect(await page.getAttribute(`#pred-${name}`, 'data-prediction')).toBe(String(LABEL));
        const expected = nodeProbabilities(models[name], digit);
        expect(argmax(expected)).toBe(LABEL);
        clean[name].forEach((p, c) => expect(p).toBeCloseTo(expected[c], 5));
      }

      // Rotate it by 30° with the keyboard; both models' probabilities follow, as Node.js computes them.
      before = await renders(page);
      await slideTo(page, 'rotation', 120);
      await expect(page.textContent('#rotation-value')).resolves.toBe('30°');
      await settled(page, before);
      const rotated = rotate(digit, 30);
      for (const name of ['baseline', 'ddar'] as const) {
        const shown = await probabilities(page, name);
        const expected = nodeProbabilities(models[name], rotated);
        expect(shown).not.toEqual(clean[name]);
        expect(await page.getAttribute(`#pred-${name}`, 'data-prediction')).toBe(String(argmax(expected)));
        shown.forEach((p, c) => expect(p).toBeCloseTo(expected[c], 4));
      }
      rotated.dispose();

      // Back to the digit as it is, then FGSM at ε = 0.3 on both models.
      before = await renders(page);
      await page.focus('#reset-geometry');
      await page.keyboard.press('Enter');
      await settled(page, before);
      await page.check('input[name="attack"][value="fgsm"]');
      await slideTo(page, 'epsilon', 30);
      await expect(page.textContent('#epsilon-value')).resolves.toBe('0.30');
      await attackDone(page, 'fgsm', 0.3);
      const baselineClean = await page.getAttribute('#attack-baseline', 'data-clean');
      const baselineAdversarial = await page.getAttribute('#attack-baseline', 'data-adversarial');
      expect(baselineClean).toBe(String(LABEL));
      expect(baselineAdversarial).not.toBe(baselineClean);
      const [node] = await new FGSM().run(asModel((x: tf.Tensor4D) => models.baseline.classify(x), { bounds: [0, 1] }), digit, [LABEL], { epsilons: [0.3] });
      expect(baselineAdversarial).toBe(String(argmax(nodeProbabilities(models.baseline, node.clipped))));
      tf.dispose([node.raw, node.clipped, digit]);
      console.log(
        `FGSM at 0.3 on test digit #${DIGIT}: baseline ${baselineClean} -> ${baselineAdversarial}, ` +
          `DDAR ${await page.getAttribute('#attack-ddar', 'data-clean')} -> ${await page.getAttribute('#attack-ddar', 'data-adversarial')}`,
      );

      // Draw a 1 with the mouse: one stroke down the pad, prepared as MNIST digits are, read as a 1 by both models.
      before = await renders(page);
      const pad = (await page.locator('#pad').boundingBox())!;
      await page.mouse.move(pad.x + pad.width * 0.55, pad.y + pad.height * 0.15);
      await page.mouse.down();
      for (let k = 1; k <= 10; k++) await page.mouse.move(pad.x + pad.width * (0.55 - 0.01 * k), pad.y + pad.height * (0.15 + 0.07 * k));
      await page.mouse.up();
      await settled(page, before);
      await expect(page.inputValue('#digit')).resolves.toBe('drawing');
      for (const name of ['baseline', 'ddar']) expect(await page.getAttribute(`#pred-${name}`, 'data-prediction')).toBe('1');
      await attackDone(page, 'fgsm', 0.3);
      await expect(page.textContent('#attack-label-note')).resolves.toMatch(/its own prediction/);

      // Every view is drawn again for the same kind of state: no tensor may have been left behind on the way.
      expect(await numTensors(page)).toBe(tensorsAtStart);
      expect(pageLog.filter((line) => line.startsWith('page error') || line.startsWith('error'))).toEqual([]);
      expect(server.missing).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('plots the robustness curve the library computes in Node.js, stays responsive, and cancels', async () => {
    const page = await open('?backend=wasm');
    try {
      const tensorsAtStart = await numTensors(page);
      await slideTo(page, 'steps', 4);
      await expect(page.textContent('#steps-value')).resolves.toBe('5');
      await page.selectOption('#curve-digits', '10');
      await page.click('#curve-run');
      await page.waitForSelector('#attack-card[data-curve="done"]', { timeout: 60000 });
      const points = await page.$$eval('#curve-plot .point', (nodes) =>
        nodes.map((n) => ({ model: n.getAttribute('data-model')!, epsilon: Number(n.getAttribute('data-epsilon')), accuracy: Number(n.getAttribute('data-accuracy')) })),
      );
      const longestFrame = Number(await page.getAttribute('#attack-card', 'data-longest-frame-ms'));
      console.log(`robustness curve, PGD-5 on 10 digits: ${JSON.stringify(points)}; longest frame ${longestFrame} ms`);

      const images = digitsTensor(digits.pixels, 0, 10);
      const labels = digits.labels.slice(0, 10);
      for (const name of ['baseline', 'ddar'] as const) {
        const plotted = points.filter((p: PlotPoint) => p.model === name);
        expect(plotted.map((p) => p.epsilon)).toEqual(CURVE_EPSILONS);
        const model = models[name];
        const report = await robustAccuracy(
          asModel((x: tf.Tensor4D) => model.classify(x), { bounds: [0, 1] }),
          { images, labels },
          [new PGD({ steps: 5, seed: PGD_SEED })],
          CURVE_EPSILONS,
          { batchSize: CURVE_BATCH },
        );
        // Same wasm kernels, same seed, same batches: the same numbers, exactly.
        expect(plotted.map((p) => p.accuracy)).toEqual(report.attacks[0].robustAccuracy);
      }
      images.dispose();
      // The page yields between batches of 10 digits: it never froze for long.
      expect(longestFrame).toBeLessThan(1500);

      // A long run, cancelled once it is under way, leaves nothing behind.
      await page.selectOption('#curve-digits', '100');
      await page.click('#curve-run');
      await page.waitForFunction(() => (document.getElementById('curve-progress') as HTMLProgressElement).value > 0);
      await page.click('#curve-cancel');
      await page.waitForSelector('#attack-card[data-curve="cancelled"]', { timeout: 30000 });
      await expect(page.textContent('#curve-status')).resolves.toBe('Cancelled.');
      await expect(page.isDisabled('#curve-cancel')).resolves.toBe(true);
      expect(await numTensors(page)).toBe(tensorsAtStart);

      // The state the docs show: a rotated digit, FGSM on it, and the PGD-5 curve on all 100 digits.
      await page.selectOption('#digit', String(DIGIT));
      await slideTo(page, 'rotation', 120);
      await page.check('input[name="attack"][value="fgsm"]');
      await slideTo(page, 'epsilon', 20);
      await attackDone(page, 'fgsm', 0.2);
      await page.check('input[name="attack"][value="pgd"]');
      await page.click('#curve-run');
      await page.waitForSelector('#attack-card[data-curve="done"][data-curve-digits="100"]', { timeout: 90000 });
      await attackDone(page, 'pgd', 0.2);
      await screenshots(page);
      expect(await numTensors(page)).toBe(tensorsAtStart);
    } finally {
      await page.close();
    }
  });

  /** The desktop and phone screenshots; on a phone-sized screen nothing may stick out sideways. */
  async function screenshots(page: Page): Promise<void> {
    mkdirSync(OUTPUT, { recursive: true });
    const targets = [OUTPUT, ...(process.env.PLAYGROUND_SCREENSHOTS ? [process.env.PLAYGROUND_SCREENSHOTS] : [])];
    for (const dir of targets) await page.screenshot({ path: join(dir, 'playground.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    for (const dir of targets) await page.screenshot({ path: join(dir, 'playground-phone.png'), fullPage: true });
  }

  it("lets initBackend choose, and says why when it passes over this browser's software WebGL", async () => {
    const page = await open('');
    try {
      const renderer = await page.evaluate(() => {
        const gl = document.createElement('canvas').getContext('webgl2');
        const info = gl?.getExtension('WEBGL_debug_renderer_info');
        return gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
      });
      const backend = await page.getAttribute('#backend-status', 'data-backend');
      const reason = (await page.getAttribute('#backend-status', 'data-reason')) ?? '';
      console.log(`automatic backend: ${backend} (${reason}); WebGL renderer: ${renderer || 'none'}`);
      if (/swiftshader|llvmpipe/i.test(renderer)) {
        expect(backend).toBe('wasm');
        expect(reason).toMatch(/webgl renders in software \(.*\), ranked below wasm/);
        await expect(page.textContent('#backend-status')).resolves.toMatch(/render in software here, slower than wasm/);
      } else {
        expect(['webgpu', 'webgl', 'wasm']).toContain(backend);
      }
    } finally {
      await page.close();
    }
  });

  it('works on WebGL, saying when it is rendered in software', async () => {
    const page = await open('?backend=webgl');
    try {
      expect(await page.getAttribute('#backend-status', 'data-backend')).toBe('webgl');
      const before = await renders(page);
      const tensors = await numTensors(page);
      await page.selectOption('#digit', String(DIGIT));
      await settled(page, before);
      const digit = digitsTensor(digits.pixels, DIGIT, 1);
      for (const name of ['baseline', 'ddar'] as const) {
        expect(await page.getAttribute(`#pred-${name}`, 'data-prediction')).toBe(String(LABEL));
        const expected = nodeProbabilities(models[name], digit);
        // WebGL computes in float32 on other kernels than wasm: close, not identical.
        (await probabilities(page, name)).forEach((p, c) => expect(p).toBeCloseTo(expected[c], 3));
      }
      digit.dispose();
      await attackDone(page, 'pgd', 0.15);
      expect(await numTensors(page)).toBe(tensors);
      const status = (await page.textContent('#backend-status')) ?? '';
      if (/swiftshader/i.test((await page.getAttribute('#backend-status', 'data-reason')) ?? '')) expect(status).toMatch(/rendered in software \(SwiftShader\)/);
    } finally {
      await page.close();
    }
  });

  it("ranks a software WebGPU adapter below wasm too (Chromium's SwiftShader WebGPU, behind a flag)", async () => {
    // Headless Chromium offers WebGPU only on its software Vulkan, and only when asked to. (tfjs-backend-webgpu does not
    // run on that adapter: it fails to create its upload buffers, so the page's WebGPU path is not checked here.)
    const gpuBrowser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'],
    });
    try {
      const page = await open('', undefined, gpuBrowser);
      const reason = (await page.getAttribute('#backend-status', 'data-reason')) ?? '';
      console.log(`automatic backend with WebGPU on SwiftShader: ${await page.getAttribute('#backend-status', 'data-backend')} (${reason})`);
      if (!/webgpu renders in software/.test(reason)) {
        console.warn('This Chromium offered no WebGPU adapter even on SwiftShader: the software WebGPU ranking is not checked');
        return;
      }
      expect(await page.getAttribute('#backend-status', 'data-backend')).toBe('wasm');
      expect(reason).toMatch(/webgpu renders in software \(a fallback adapter.*\), ranked below wasm/);
      await page.close();
    } finally {
      await gpuBrowser.close();
    }
  });
});
