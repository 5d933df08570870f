import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as browser from './browser.js';
import * as node from './index.js';
import { isSoftwareRenderer } from './software_gpu.js';

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

  describe('a GPU backend that renders in software', () => {
    const globals = globalThis as { document?: unknown; navigator?: unknown };
    const saved = { document: globals.document, navigator: Object.getOwnPropertyDescriptor(globalThis, 'navigator') };
    /** A document whose canvases give a WebGL context with this renderer name, as WEBGL_debug_renderer_info reports it. */
    function fakeWebGL(renderer: string): { lost: number } {
      const state = { lost: 0 };
      const gl = {
        getExtension: (name: string) =>
          name === 'WEBGL_debug_renderer_info' ? { UNMASKED_RENDERER_WEBGL: 0x9246 } : name === 'WEBGL_lose_context' ? { loseContext: () => state.lost++ } : null,
        getParameter: (p: number) => (p === 0x9246 ? renderer : 'WebKit WebGL'),
      };
      globals.document = { createElement: () => ({ getContext: (kind: string) => (kind === 'webgl2' ? gl : null) }) };
      return state;
    }
    function fakeWebGpu(adapter: object | null): void {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter: async () => adapter } }, configurable: true });
    }
    afterEach(() => {
      globals.document = saved.document;
      if (saved.navigator) Object.defineProperty(globalThis, 'navigator', saved.navigator);
      else delete globals.navigator;
    });

    it('recognizes the CPU implementations of WebGL by their renderer name', () => {
      for (const name of [
        'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
        'Google SwiftShader',
        'llvmpipe (LLVM 15.0.6, 256 bits)',
        'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11)',
      ]) {
        expect(isSoftwareRenderer(name)).toBe(true);
      }
      for (const name of ['ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)', 'Apple M1', 'Mali-G78', 'Adreno (TM) 650']) {
        expect(isSoftwareRenderer(name)).toBe(false);
      }
    });

    it('ranks a software WebGL below wasm, saying so, and frees the context it probed with', async () => {
      const probe = fakeWebGL('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)');
      tf.registerBackend('webgl', () => new MathBackendCPU());
      const info = await browser.initBackend({ log: false });
      expect(info).toEqual({
        name: 'wasm',
        reason:
          'fastest available; webgpu: @tensorflow/tfjs-backend-webgpu not imported; webgl renders in software ' +
          '(ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)), ranked below wasm',
      });
      expect(probe.lost).toBe(1);
    });

    it('still takes a software WebGL before cpu when wasm cannot start', async () => {
      fakeWebGL('llvmpipe (LLVM 15.0.6, 256 bits)');
      tf.registerBackend('webgl', () => new MathBackendCPU());
      const wasm = tf.findBackendFactory('wasm')!;
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', () => {
        throw new Error('no .wasm files');
      });
      try {
        const info = await browser.initBackend({ log: false });
        expect(info.name).toBe('webgl');
        expect(info.softwareRendering).toBe('llvmpipe (LLVM 15.0.6, 256 bits)');
        expect(info.reason).toBe(
          'fastest available; webgpu: @tensorflow/tfjs-backend-webgpu not imported; wasm failed to initialize; ' +
            'webgl renders in software (llvmpipe (LLVM 15.0.6, 256 bits)), ranked below wasm',
        );
      } finally {
        tf.removeBackend('wasm');
        tf.registerBackend('wasm', wasm, 2);
      }
    });

    it('keeps a hardware WebGL first, and a requested software one, saying that it renders in software', async () => {
      fakeWebGL('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)');
      tf.registerBackend('webgl', () => new MathBackendCPU());
      const hardware = await browser.initBackend({ log: false });
      expect(hardware).toEqual({ name: 'webgl', reason: 'fastest available; webgpu: @tensorflow/tfjs-backend-webgpu not imported' });
      fakeWebGL('Google SwiftShader');
      const requested = await browser.initBackend({ backend: 'webgl', log: false });
      expect(requested).toEqual({ name: 'webgl', reason: 'requested; webgl renders in software: Google SwiftShader', softwareRendering: 'Google SwiftShader' });
    });

    it('ranks a fallback WebGPU adapter below wasm', async () => {
      fakeWebGpu({ info: { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true } });
      tf.registerBackend('webgpu', () => new MathBackendCPU());
      const info = await browser.initBackend({ log: false });
      expect(info.name).toBe('wasm');
      expect(info.reason).toBe(
        'fastest available; webgl: @tensorflow/tfjs-backend-webgl not imported; ' +
          'webgpu renders in software (a fallback adapter (google swiftshader)), ranked below wasm',
      );
      fakeWebGpu({ info: { vendor: 'nvidia', architecture: 'ampere', description: '' } });
      expect((await browser.initBackend({ log: false })).name).toBe('webgpu');
    });
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
