import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as browser from './browser.js';
import * as node from './index.js';

// The browser entry runs here in Node.js: what differs in a real browser (which GPU backends exist, serving the .wasm
// files) is covered by apps/browser-check in headless Chromium.
describe('the browser entry of @ddar/backend', () => {
  // tfjs warns about a backend that failed to start; these tests make two on purpose.
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => {
    jest.restoreAllMocks();
    for (const name of ['webgl', 'webgpu']) if (tf.findBackendFactory(name) != null) tf.removeBackend(name);
  });

  it('exports the same names as the Node.js entry, so code shared between the two bundles for both', () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  });

  it('prefers webgpu > webgl > wasm > cpu', () => {
    expect(browser.BACKEND_PREFERENCE).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it('skips the GPU backends the program did not import, saying so, and takes wasm', async () => {
    const lines: string[] = [];
    const info = await browser.initBackend({ log: (line) => lines.push(line) });
    expect(info).toEqual({
      name: 'wasm',
      reason:
        'fastest available; webgpu: @tensorflow/tfjs-backend-webgpu not imported; webgl: @tensorflow/tfjs-backend-webgl not imported',
    });
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toEqual([`[ddar] backend: wasm (${info.reason})`]);
    expect(browser.currentBackend()).toEqual(info);
  });

  it('takes a GPU backend once its package registered it', async () => {
    // A cpu backend under webgl's name stands for @tensorflow/tfjs-backend-webgl, which needs a real browser.
    tf.registerBackend('webgl', () => new MathBackendCPU());
    const info = await browser.initBackend({ log: false });
    expect(info).toEqual({ name: 'webgl', reason: 'fastest available; webgpu: @tensorflow/tfjs-backend-webgpu not imported' });
    expect(tf.getBackend()).toBe('webgl');
  });

  it('falls back past a GPU backend that fails to start, saying so', async () => {
    tf.registerBackend('webgpu', () => {
      throw new Error('no adapter');
    });
    const info = await browser.initBackend({ log: false });
    expect(info.name).toBe('wasm');
    expect(info.reason).toMatch(/^fastest available; webgpu failed to initialize; webgl: @tensorflow\/tfjs-backend-webgl not imported$/);
  });

  it('fails clearly, without falling back, when a requested backend was not imported or cannot start', async () => {
    await expect(browser.initBackend({ backend: 'webgl', log: false })).rejects.toThrow(
      "initBackend: backend 'webgl' was requested but is not available (webgl: @tensorflow/tfjs-backend-webgl not imported). " +
        'Install @tensorflow/tfjs-backend-webgl and import it before initBackend.',
    );
    tf.registerBackend('webgpu', () => {
      throw new Error('no adapter');
    });
    await expect(browser.initBackend({ backend: 'webgpu', log: false })).rejects.toThrow(
      "initBackend: backend 'webgpu' was requested but failed to initialize. This browser (or its GPU driver) may not offer WebGPU.",
    );
  });

  it("rejects Node.js's tensorflow backend, and ignores DDAR_BACKEND, which a browser does not have", async () => {
    await expect(browser.initBackend({ backend: 'tensorflow', log: false })).rejects.toThrow(
      "initBackend: options.backend must be one of auto, webgpu, webgl, wasm, cpu, but got 'tensorflow'; 'tensorflow' is not a backend of a browser",
    );
    const saved = process.env.DDAR_BACKEND;
    process.env.DDAR_BACKEND = 'cpu';
    try {
      expect((await browser.initBackend({ log: false })).name).toBe('wasm');
    } finally {
      if (saved === undefined) delete process.env.DDAR_BACKEND;
      else process.env.DDAR_BACKEND = saved;
    }
  });

  it('logs with console.info by default', async () => {
    const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    await browser.initBackend({ backend: 'cpu' });
    expect(info).toHaveBeenCalledWith('[ddar] backend: cpu (requested)');
  });

  it('keeps the file IO names, each failing with what to use in a browser instead', async () => {
    const instead = /which only Node\.js has; in a browser save with model\.save\('indexeddb:\/\/<name>'\)/;
    expect(() => browser.fileSystem('./m')).toThrow(/^fileSystem\("\.\/m"\) reads and writes the local file system/);
    expect(() => browser.fileSystem('./m')).toThrow(instead);
    expect(() => browser.registerFileSystemRouter()).toThrow(instead);
    const model = { save: jest.fn() };
    await expect(browser.saveModel(model, './m')).rejects.toThrow(instead);
    expect(model.save).not.toHaveBeenCalled();
    await expect(browser.loadModel('./m')).rejects.toThrow(instead);
    await expect(browser.writeFileAtomic('./f', 'x')).rejects.toThrow(instead);
    await expect(browser.writeFileSynced('./f', 'x')).rejects.toThrow(instead);
    expect(browser.FILE_SCHEME).toBe(node.FILE_SCHEME);
  });
});
