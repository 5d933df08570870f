import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
// What a program has before it imports this package: tfjs's own cpu backend (as @tensorflow/tfjs registers it) and
// the layers API. Nothing here may import tfjs-backend-wasm: whether the package does is what is tested.
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, loadModel, registerFileSystemRouter, registerWasmReplacementKernels, saveModel } from './index.js';

// The order of these tests is the order of a program's life: import, use the IO, then (maybe) initBackend.
describe('importing @ddar/backend', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ddar-import-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves tfjs on its own default backend: no wasm registered above it, nothing to initialize first', async () => {
    expect(tf.findBackendFactory('wasm')).toBeNull();
    // An op before any `await tf.ready()`, as in a program that only loads a model: it throws if a backend above cpu
    // was registered that nobody initialized.
    tf.scalar(1).dispose();
    expect(tf.getBackend()).toBe('cpu');
    await tf.ready();
    expect(tf.getBackend()).toBe('cpu');
  });

  it('saves and loads file:// models without initBackend, on that default backend', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 })] });
    await saveModel(model, dir);
    registerFileSystemRouter();
    const url = `${pathToFileURL(dir).href}/model.json`;
    const byUrl = await tfl.loadLayersModel(url);
    const byPath = await loadModel(dir);
    const x = tf.tensor2d([[1, 2, 3]]);
    const expected = Array.from((model.predict(x) as tf.Tensor).dataSync());
    expect(Array.from((byUrl.predict(x) as tf.Tensor).dataSync())).toEqual(expected);
    expect(Array.from((byPath.predict(x) as tf.Tensor).dataSync())).toEqual(expected);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('says so when asked to replace wasm kernels that are not there yet', () => {
    expect(() => registerWasmReplacementKernels()).toThrow(
      "registerWasmReplacementKernels: the wasm backend's kernels are not registered; import '@tensorflow/tfjs-backend-wasm' first (initBackend does)",
    );
  });

  it('registers and activates wasm when initBackend asks for it', async () => {
    const info = await initBackend({ backend: 'wasm', log: false });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.findBackendFactory('wasm')).not.toBeNull();
  });
});
