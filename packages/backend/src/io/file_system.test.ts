import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { promises as fs, writeFileSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { transformFileSync } from '@swc/core';
import { initBackend } from '../init_backend.js';
import { fileSystem } from './file_system.js';
import { loadModel, saveModel } from './save_load.js';

function smallModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 3 }));
  return model;
}

describe('fileSystem IO handler', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
  });
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ddar-io-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('saves the standard tfjs layers format and loads a model that predicts identically', async () => {
    const model = smallModel();
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 1);
    await saveModel(model, path.join(dir, 'm'));
    const files = (await fs.readdir(path.join(dir, 'm'))).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toBe('model.json');
    expect(files[1]).toMatch(/^weights-[0-9a-f]{16}\.bin$/);
    const json = JSON.parse(await fs.readFile(path.join(dir, 'm', 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest[0].paths).toEqual([`./${files[1]}`]);

    // Any tfjs runtime can read it: here tfjs's own in-memory loader, fed the raw files.
    const weightBytes = await fs.readFile(path.join(dir, 'm', files[1]));
    const viaMemory = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: new Uint8Array(weightBytes).buffer,
      }),
    );
    const loaded = await loadModel(path.join(dir, 'm'));
    const expected = model.predict(x) as tf.Tensor;
    for (const other of [loaded, viaMemory]) {
      const actual = other.predict(x) as tf.Tensor;
      expect(Array.from(await actual.data())).toEqual(Array.from(await expected.data()));
      actual.dispose();
      other.dispose();
    }
    tf.dispose([x, expected]);
    model.dispose();
  });

  it('serves file:// URLs for model.save and tf.loadLayersModel after initBackend', async () => {
    const model = smallModel();
    const url = `file://${path.join(dir, 'url-model')}`;
    await model.save(url);
    const loaded = await tfl.loadLayersModel(`${url}/model.json`);
    expect(loaded.countParams()).toBe(model.countParams());
    loaded.dispose();
    model.dispose();
  });

  it('replaces a saved model and removes the old weights', async () => {
    const target = path.join(dir, 'm');
    const first = smallModel();
    const second = smallModel();
    await saveModel(first, target);
    await saveModel(second, target);
    const files = await fs.readdir(target);
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    const loaded = await loadModel(target);
    const a = loaded.getWeights()[0];
    const b = second.getWeights()[0];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    [first, second, loaded].forEach((m) => m.dispose());
  });

  it('names the file and the fault when model.json or the weights are corrupt or missing', async () => {
    const target = path.join(dir, 'm');
    await expect(loadModel(target)).rejects.toThrow(`loadModel: no model at ${target}`);
    const model = smallModel();
    await saveModel(model, target);
    const weightsFile = (await fs.readdir(target)).find((f) => f.endsWith('.bin'))!;
    const weights = await fs.readFile(path.join(target, weightsFile));

    await fs.writeFile(path.join(target, weightsFile), weights.subarray(0, weights.length - 8));
    await expect(loadModel(target)).rejects.toThrow(
      new RegExp(`hold ${weights.length - 8} bytes but .*model.json describes ${weights.length}; the files are truncated`),
    );
    await fs.rm(path.join(target, weightsFile));
    await expect(loadModel(target)).rejects.toThrow(/weights file .*weights-.*\.bin named in .*model.json does not exist/);

    await fs.writeFile(path.join(target, 'model.json'), '{"modelTopology": {"class_na');
    await expect(loadModel(target)).rejects.toThrow(/model.json is not valid JSON .*the file is corrupt/);
    await fs.writeFile(path.join(target, 'model.json'), '{"hello": 1}');
    await expect(loadModel(target)).rejects.toThrow(/has no modelTopology; it is not a tfjs model.json/);
    model.dispose();
  });

  it('refuses weights that changed since they were saved, non-finite weights, and a model.json without weights', async () => {
    const target = path.join(dir, 'verified');
    const model = smallModel();
    await saveModel(model, target);
    const weightsFile = (await fs.readdir(target)).find((f) => f.endsWith('.bin'))!;
    const weightsPath = path.join(target, weightsFile);
    const original = await fs.readFile(weightsPath);
    const json = JSON.parse(await fs.readFile(path.join(target, 'model.json'), 'utf8')) as tf.io.ModelJSON;

    // One float flipped: same size, so only the checksum in the file's name can tell.
    const flipped = Buffer.from(original);
    flipped.writeFloatLE(0.125, 0);
    await fs.writeFile(weightsPath, flipped);
    await expect(loadModel(target)).rejects.toThrow(`${weightsPath} does not match the checksum in its name`);

    // A NaN written under a name that matches its content (as a diverged save would be).
    const poisoned = Buffer.from(original);
    poisoned.writeFloatLE(Number.NaN, 4);
    const poisonedName = `weights-${createHash('sha256').update(poisoned).digest('hex').slice(0, 16)}.bin`;
    await fs.writeFile(path.join(target, poisonedName), poisoned);
    const poisonedJson = { ...json, weightsManifest: [{ ...json.weightsManifest[0], paths: [`./${poisonedName}`] }] };
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify(poisonedJson));
    await expect(loadModel(target)).rejects.toThrow(/weight .* holds NaN at index 1; a model with non-finite weights cannot be used/);

    // Without its manifest tfjs would initialize fresh random weights and say nothing.
    const { weightsManifest: _dropped, ...withoutWeights } = json;
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify(withoutWeights));
    await expect(loadModel(target)).rejects.toThrow("has no weightsManifest, so the model's weights are missing");
    model.dispose();
  });

  it('never leaves a half-written model when the saving process is killed', async () => {
    // The saver runs in its own process so that SIGKILL lands wherever it lands, mid-write included.
    const work = mkdtempSync(path.join(os.tmpdir(), 'ddar-kill-'));
    for (const module of ['file_system', 'atomic_file']) {
      const compiled = transformFileSync(path.join(__dirname, `${module}.ts`), {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      }).code;
      writeFileSync(path.join(work, `${module}.js`), compiled);
    }
    const target = path.join(work, 'model');
    const saver = `
      const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-core'))});
      require(${JSON.stringify(require.resolve('@tensorflow/tfjs-backend-cpu'))});
      const { fileSystem } = require('./file_system.js');
      (async () => {
        const handler = fileSystem(${JSON.stringify(target)});
        const n = 2000000;
        for (let version = 1; ; version++) {
          const values = new Float32Array(n).fill(version);
          await handler.save({
            modelTopology: { version },
            weightSpecs: [{ name: 'w', shape: [n], dtype: 'float32' }],
            weightData: values.buffer,
          });
          process.stdout.write('saved ' + version + '\\n');
        }
      })();`;
    writeFileSync(path.join(work, 'saver.js'), saver);
    const child = spawn(process.execPath, ['saver.js'], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        // Let a few saves complete, then kill at a moment that is likely mid-write of the next one.
        if (/saved 3/.test(output)) setTimeout(() => child.kill('SIGKILL'), 7);
      });
      child.on('exit', () => resolve());
    });
    const artifacts = await fileSystem(target).load!();
    const version = (artifacts.modelTopology as { version: number }).version;
    expect(version).toBeGreaterThanOrEqual(3);
    const values = new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
    expect(values.length).toBe(2000000);
    expect(values.every((v) => v === version)).toBe(true);
    await fs.rm(work, { recursive: true, force: true });
  });

  it('rejects an empty path', () => {
    expect(() => fileSystem('')).toThrow('fileSystem: path must be a non-empty directory or model.json path');
    expect(() => fileSystem('file://')).toThrow(/non-empty/);
  });
});
