import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone } from '@ddar/backbones';
import { initBackend } from '@ddar/backend';
import { DDARModel } from './ddar_model.js';
import { loadClassifierModel } from './load_classifier_model.js';
import { METADATA_KEY, type DDARModelConfig } from './classifier_model.js';
import { BaselineModel } from './baseline_model.js';
import { MemoryIO } from './test-utils/memory_io.js';
import { maxAbsDifference, randomBatch } from './test-utils/fixtures.js';

const MNIST_SHAPE: [number, number, number] = [28, 28, 1];

function tinyOptions(seed: number) {
  return {
    backboneName: 'smallCnn',
    backboneOptions: { width: 0.25, embeddingSize: 64 },
    inputShape: MNIST_SHAPE,
    numClasses: 10,
    decoderWidth: 8,
    seed,
  };
}

/** smallCnn at a quarter width: every code path of the full model, at unit-test cost. */
function tinyMnistModel(seed = 1): DDARModel {
  return DDARModel.create(tinyOptions(seed));
}

describe('DDARModel', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });

  it('builds on smallCnn for 28x28x1: by default an integral warp with an affine part, starting at the identity', () => {
    const model = tinyMnistModel();
    const { images } = randomBatch(2, MNIST_SHAPE, 10, 1);
    const [logits, template, incrementLogits, affineResidual] = model.network.predict(images) as tf.Tensor[];
    expect(logits.shape).toEqual([2, 10]);
    expect(template.shape).toEqual([2, 28, 28, 1]);
    expect(incrementLogits.shape).toEqual([2, 28, 28, 2]);
    expect(affineResidual.shape).toEqual([2, 6]);
    expect(model.geometry).toBe('integral');
    expect(model.config).toMatchObject({ kind: 'ddar', geometry: 'integral', dA: 8, dG: 64, border: 'zeros' });
    expect(model.config.maxDisplacement).toBeUndefined();
    expect(model.config.backbone).toMatchObject({ name: 'smallCnn', options: { width: 0.25, embeddingSize: 64 } });
    // At initialization the affine part is exactly the identity and the local warp within a few hundredths of a
    // pixel of it, so the reconstruction is the template.
    const decoding = model.reconstruct(images);
    const [largestShift, darkest, brightest] = tf.tidy(() =>
      [tf.max(tf.abs(decoding.displacement)), tf.min(decoding.template), tf.max(decoding.template)].map((t) => t.dataSync()[0]),
    );
    expect(largestShift).toBeLessThan(0.05);
    expect(maxAbsDifference(decoding.reconstruction, decoding.template)).toBeLessThan(0.01);
    expect(darkest).toBeGreaterThan(0);
    expect(brightest).toBeLessThan(1);
    expect(decoding.warpIncrements?.shape).toEqual([2, 28, 28, 2]);
    expect(decoding.affineResidual?.shape).toEqual([2, 6]);
    tf.dispose([images, logits, template, incrementLogits, affineResidual, ...Object.values(decoding)]);
    model.dispose();
  });

  it("keeps the first version's bounded displacement field as geometry 'displacement'", () => {
    const model = DDARModel.create({
      backboneName: 'smallCnn',
      backboneOptions: { width: 0.25, embeddingSize: 64 },
      inputShape: MNIST_SHAPE,
      numClasses: 10,
      decoderWidth: 8,
      geometry: 'displacement',
      seed: 1,
    });
    const { images } = randomBatch(2, MNIST_SHAPE, 10, 1);
    const [logits, template, displacement] = model.network.predict(images) as tf.Tensor[];
    expect(displacement.shape).toEqual([2, 28, 28, 2]);
    expect(model.network.outputs).toHaveLength(3);
    expect(model.config).toMatchObject({ kind: 'ddar', geometry: 'displacement', dA: 64, dG: 16, maxDisplacement: 3.5 });
    const largestShift = tf.tidy(() => tf.max(tf.abs(displacement)).dataSync()[0]);
    expect(largestShift).toBeLessThanOrEqual(3.5);
    const decoding = model.reconstruct(images);
    expect(decoding.warpIncrements).toBeUndefined();
    expect(maxAbsDifference(decoding.displacement, displacement)).toBe(0);
    tf.dispose([images, logits, template, displacement, ...Object.values(decoding)]);
    model.dispose();
  });

  it('decodes the grid increments at full resolution with lowResolutionField false', () => {
    const model = DDARModel.create({ ...tinyOptions(2), lowResolutionField: false });
    const { images } = randomBatch(2, MNIST_SHAPE, 10, 2);
    const decoding = model.reconstruct(images);
    expect(decoding.warpIncrements!.shape).toEqual([2, 28, 28, 2]);
    expect(model.config.layers.geometricDecoder.some((name) => name.endsWith('_upsample'))).toBe(false);
    tf.dispose([images, ...Object.values(decoding)]);
    model.dispose();
  });

  it('builds on resnet20 for 32x32x3 (forward pass on a batch of 2)', () => {
    const model = DDARModel.create({
      backboneName: 'resnet20',
      backboneOptions: { width: 0.5 },
      inputShape: [32, 32, 3],
      numClasses: 10,
      seed: 2,
    });
    const { images } = randomBatch(2, [32, 32, 3], 10, 2);
    const logits = model.classify(images);
    const { template, displacement, reconstruction, warpIncrements, affineResidual } = model.reconstruct(images);
    expect(logits.shape).toEqual([2, 10]);
    expect(template.shape).toEqual([2, 32, 32, 3]);
    expect(displacement.shape).toEqual([2, 32, 32, 2]);
    expect(reconstruction.shape).toEqual([2, 32, 32, 3]);
    expect(model.config).toMatchObject({ dA: 64, dG: 128, decoderWidth: 64 });
    tf.dispose([images, logits, template, displacement, reconstruction, warpIncrements!, affineResidual!]);
    model.dispose();
  });

  it('takes any Backbone object, and saves and reloads it without knowing it', async () => {
    const flatten = tfl.layers.flatten({ name: 'mine_flatten' });
    const dense = tfl.layers.dense({ units: 24, activation: 'relu', name: 'mine_dense' });
    const mine: Backbone = {
      name: 'mine',
      options: { inputShape: MNIST_SHAPE, width: 1, embeddingSize: 24, namePrefix: 'mine' },
      embeddingSize: 24,
      apply: (input) => dense.apply(flatten.apply(input)) as tfl.SymbolicTensor,
    };
    const model = DDARModel.create({ backbone: mine, inputShape: MNIST_SHAPE, numClasses: 3, dA: 4, dG: 2, decoderWidth: 8 });
    expect(model.config.backbone).toEqual({ name: 'mine', options: mine.options });
    const io = new MemoryIO();
    await model.save(io);
    const loaded = await DDARModel.load(io);
    const { images } = randomBatch(2, MNIST_SHAPE, 3, 13);
    const [a, b] = [model.classify(images), loaded.classify(images)];
    expect(a.shape).toEqual([2, 3]);
    expect(maxAbsDifference(a, b)).toBe(0);
    expect(() => DDARModel.create({ backbone: mine, inputShape: [32, 32, 1], numClasses: 3 })).toThrow(
      'Error in DDARModel.create: the backbone was built for input shape [28,28,1], but options.inputShape is [32,32,1]',
    );
    tf.dispose([images, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('classifies through the inference path with the same logits as the full network', () => {
    const model = tinyMnistModel();
    const { images } = randomBatch(3, MNIST_SHAPE, 10, 3);
    const viaNetwork = (model.network.predict(images) as tf.Tensor[])[0];
    const viaClassify = model.classify(images);
    expect(maxAbsDifference(viaClassify, viaNetwork)).toBe(0);
    tf.dispose([images, viaNetwork, viaClassify]);
    model.dispose();
  });

  it('classify is differentiable with respect to the images, as white-box attacks need', () => {
    const model = tinyMnistModel();
    const { images, labels } = randomBatch(2, MNIST_SHAPE, 10, 12);
    const gradient = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(model.classify(x as tf.Tensor4D), tf.oneHot(labels, 10))),
    )(images);
    expect(gradient.shape).toEqual([2, 28, 28, 1]);
    const [largest, finite] = tf.tidy(() => [tf.max(tf.abs(gradient)).dataSync()[0], tf.all(tf.isFinite(gradient)).dataSync()[0]]);
    expect(largest).toBeGreaterThan(0);
    expect(finite).toBe(1);
    tf.dispose([images, labels, gradient]);
    model.dispose();
  });

  it('decodes its own codes into what the network outputs, and warps the template by the field', () => {
    const model = tinyMnistModel();
    const { images } = randomBatch(2, MNIST_SHAPE, 10, 4);
    const codes = model.encode(images);
    expect(codes.appearance.shape).toEqual([2, 8]);
    expect(codes.geometric.shape).toEqual([2, 64]);
    const decoded = model.decode(codes);
    const direct = model.reconstruct(images);
    expect(maxAbsDifference(decoded.template, direct.template)).toBeLessThan(1e-6);
    expect(maxAbsDifference(decoded.displacement, direct.displacement)).toBeLessThan(1e-6);
    expect(maxAbsDifference(decoded.reconstruction, direct.reconstruction)).toBeLessThan(1e-6);
    // The field is not zero, so reconstruction and template really differ by a warp.
    expect(maxAbsDifference(decoded.reconstruction, decoded.template)).toBeGreaterThan(0);
    tf.dispose([images, codes.appearance, codes.geometric, ...Object.values(decoded), ...Object.values(direct)]);
    model.dispose();
  });

  it('returns every loss term, the total being their weighted sum', () => {
    const model = tinyMnistModel();
    const { images, labels } = randomBatch(4, MNIST_SHAPE, 10, 5);
    const weights = { reconstruction: 2, smoothness: 0.5, magnitude: 0.25, biasReduction: 3 };
    // The warp starts at the identity, where the warp terms are 0: one step moves it away.
    const optimizer = tf.train.sgd(0.01);
    optimizer.minimize(() => model.lossTerms(images, labels, weights).total);
    optimizer.dispose();
    const { total, terms } = model.lossTerms(images, labels, weights);
    const value = (t: tf.Tensor | undefined) => t!.dataSync()[0];
    // Untrained 10-way classifier: cross-entropy near ln 10.
    expect(value(terms.classification)).toBeGreaterThan(1.5);
    expect(value(terms.classification)).toBeLessThan(3.5);
    expect(value(terms.reconstruction)).toBeGreaterThan(0);
    expect(value(terms.smoothness)).toBeGreaterThan(0);
    expect(value(terms.magnitude)).toBeGreaterThan(0);
    expect(value(terms.biasReduction)).toBeGreaterThan(0);
    const expected =
      value(terms.classification) +
      2 * value(terms.reconstruction) +
      0.5 * value(terms.smoothness) +
      0.25 * value(terms.magnitude) +
      3 * value(terms.biasReduction);
    expect(value(total)).toBeCloseTo(expected, 4);
    tf.dispose([images, labels, total, ...Object.values(terms)]);
    model.dispose();
  });

  it('sends a gradient to every trainable weight, before and after a training step', () => {
    const model = tinyMnistModel();
    const { images, labels } = randomBatch(8, MNIST_SHAPE, 10, 6);
    const optimizer = tf.train.adam(1e-3);
    const loss = () => model.lossTerms(images, labels, { magnitude: 0.1 }).total;
    const check = () => {
      const { value, grads } = tf.variableGrads(loss, model.trainableWeights);
      const silent = Object.entries(grads)
        .filter(([, g]) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) === 0)
        .map(([name]) => name);
      expect(silent).toEqual([]);
      expect(Object.keys(grads)).toHaveLength(model.trainableWeights.length);
      tf.dispose([value, ...Object.values(grads)]);
    };
    check();
    optimizer.minimize(loss, true, model.trainableWeights)?.dispose();
    check();
    optimizer.dispose();
    tf.dispose([images, labels]);
    model.dispose();
  });

  it('saves and loads in tfjs format, with its configuration, classifying and decoding identically', async () => {
    const model = tinyMnistModel(7);
    const { images, labels } = randomBatch(4, MNIST_SHAPE, 10, 7);
    // One training step first, so the loaded weights cannot match by coincidence of initialization.
    const optimizer = tf.train.sgd(0.1);
    optimizer.minimize(() => model.lossTerms(images, labels).total, true, model.trainableWeights)?.dispose();
    const io = new MemoryIO();
    await model.save(io);
    const metadata = io.artifacts!.userDefinedMetadata as Record<string, DDARModelConfig>;
    expect(metadata[METADATA_KEY]).toEqual(model.config);

    const loaded = await DDARModel.load(io);
    expect(loaded.config).toEqual(model.config);
    const [a, b] = [model.classify(images), loaded.classify(images)];
    expect(maxAbsDifference(a, b)).toBe(0);
    const [ra, rb] = [model.reconstruct(images), loaded.reconstruct(images)];
    expect(maxAbsDifference(ra.reconstruction, rb.reconstruction)).toBe(0);
    expect(loaded.trainableWeights).toHaveLength(model.trainableWeights.length);

    const generic = await loadClassifierModel(io);
    expect(generic).toBeInstanceOf(DDARModel);
    await expect(BaselineModel.load(io)).rejects.toThrow("the saved model is a 'ddar' model, not a 'baseline' model");
    tf.dispose([images, labels, a, b, ...Object.values(ra), ...Object.values(rb)]);
    [model, loaded, generic].forEach((m) => m.dispose());
  });

  it('loads a model saved before the geometry option existed as a displacement model', async () => {
    const model = DDARModel.create({ ...tinyOptions(8), geometry: 'displacement' });
    const io = new MemoryIO();
    await model.save(io);
    const metadata = io.artifacts!.userDefinedMetadata as Record<string, DDARModelConfig>;
    delete metadata[METADATA_KEY].geometry;
    const loaded = await DDARModel.load(io);
    expect(loaded.geometry).toBe('displacement');
    const { images } = randomBatch(2, MNIST_SHAPE, 10, 8);
    const [ra, rb] = [model.reconstruct(images), loaded.reconstruct(images)];
    expect(maxAbsDifference(ra.reconstruction, rb.reconstruction)).toBe(0);
    tf.dispose([images, ...Object.values(ra), ...Object.values(rb)]);
    [model, loaded].forEach((m) => m.dispose());
  });

  it('saves to and loads from a URL string through the tf.io router registry', async () => {
    const store = new Map<string, MemoryIO>();
    const route = (url: string | string[]) => {
      const key = Array.isArray(url) ? url[0] : url;
      if (!key.startsWith('ddar-test://')) return null;
      if (!store.has(key)) store.set(key, new MemoryIO());
      return store.get(key)!;
    };
    // IORouter's type omits the null a router returns for URLs that are not its own.
    tf.io.registerSaveRouter(route as Parameters<typeof tf.io.registerSaveRouter>[0]);
    tf.io.registerLoadRouter(route as Parameters<typeof tf.io.registerSaveRouter>[0]);
    const model = tinyMnistModel(9);
    await model.save('ddar-test://tiny');
    expect(store.get('ddar-test://tiny')!.artifacts).toBeDefined();
    const loaded = await DDARModel.load('ddar-test://tiny');
    const { images } = randomBatch(2, MNIST_SHAPE, 10, 9);
    const [a, b] = [model.classify(images), loaded.classify(images)];
    expect(maxAbsDifference(a, b)).toBe(0);
    tf.dispose([images, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('round-trips through a file:// directory with the handler initBackend registers', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ddar-disentangle-'));
    try {
      const model = tinyMnistModel(10);
      await model.save(`file://${directory}`);
      const loaded = await DDARModel.load(`file://${join(directory, 'model.json')}`);
      const { images } = randomBatch(2, MNIST_SHAPE, 10, 10);
      const [a, b] = [model.classify(images), loaded.classify(images)];
      expect(maxAbsDifference(a, b)).toBe(0);
      expect(loaded.config).toEqual(model.config);
      tf.dispose([images, a, b]);
      model.dispose();
      loaded.dispose();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses a URL with no registered handler, and a model.json without DDAR metadata', async () => {
    const model = tinyMnistModel();
    await expect(model.save('nosuchscheme://model')).rejects.toThrow("no tf.io save handler is registered for 'nosuchscheme://model'");
    const io = new MemoryIO();
    await model.network.save(io);
    await expect(DDARModel.load(io)).rejects.toThrow('has no DDAR configuration in userDefinedMetadata.ddar');
    model.dispose();
  });

  it('leaks no tensor across 50 training steps', () => {
    const model = tinyMnistModel();
    const { images, labels } = randomBatch(8, MNIST_SHAPE, 10, 8);
    const optimizer = tf.train.adam(1e-3);
    const step = () => {
      const terms = model.lossTerms(images, labels, { magnitude: 0.01 });
      tf.dispose([terms.total, ...Object.values(terms.terms)]);
      optimizer.minimize(() => model.lossTerms(images, labels).total, true, model.trainableWeights)?.dispose();
    };
    step(); // Adam creates its moment variables on the first step.
    const before = tf.memory().numTensors;
    for (let i = 0; i < 49; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([images, labels]);
    model.dispose();
  });

  it('frees every weight on dispose and refuses use afterwards', () => {
    const before = tf.memory().numTensors;
    const model = tinyMnistModel();
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => model.classify(tf.zeros([1, 28, 28, 1]))).toThrow('Error in DDARModel.classify: the model has been disposed');
  });

  it('names a disposed input instead of failing inside tfjs', () => {
    const model = tinyMnistModel();
    const images = tf.zeros([2, 28, 28, 1]);
    const labels = tf.tensor1d([0, 1], 'int32');
    images.dispose();
    expect(() => model.classify(images as tf.Tensor4D)).toThrow('Error in DDARModel.classify: images has been disposed');
    const live = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    labels.dispose();
    expect(() => model.lossTerms(live, labels)).toThrow('labels has been disposed');
    live.dispose();
    model.dispose();
  });

  it('validates its options and inputs with errors naming them', () => {
    const base = { backboneName: 'smallCnn', backboneOptions: { width: 0.25 }, inputShape: MNIST_SHAPE, numClasses: 10 };
    expect(() => DDARModel.create({ ...base, dA: 0 })).toThrow('Error in DDARModel.create: options.dA must be a positive integer, but got 0');
    expect(() => DDARModel.create({ ...base, numClasses: 1 })).toThrow('options.numClasses must be at least 2, but got 1');
    expect(() => DDARModel.create({ ...base, inputShape: [28, 28] as never })).toThrow(
      'options.inputShape must be [height, width, channels] of positive integers, but got [28,28]',
    );
    expect(() => DDARModel.create({ ...base, geometry: 'displacement', maxDisplacement: -1 })).toThrow(
      'options.maxDisplacement must be a positive number, but got -1',
    );
    expect(() => DDARModel.create({ ...base, maxDisplacement: 3 })).toThrow(
      "options.maxDisplacement and options.displacementUnits belong to the 'displacement' geometry",
    );
    expect(() => DDARModel.create({ ...base, geometry: 'affine' as never })).toThrow(
      "options.geometry must be one of integral, displacement, but got 'affine'",
    );
    const model = tinyMnistModel();
    const wrong = tf.zeros([2, 32, 32, 1]) as tf.Tensor4D;
    expect(() => model.classify(wrong)).toThrow('Error in DDARModel.classify: images must have shape [N, 28, 28, 1], but got shape [2,32,32,1]');
    const images = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    const labels = tf.tensor1d([1, 2, 3], 'int32');
    expect(() => model.lossTerms(images, labels)).toThrow('labels must have shape [2] (one label per image), but got shape [3]');
    const codes = { appearance: tf.zeros([2, 8]) as tf.Tensor2D, geometric: tf.zeros([2, 15]) as tf.Tensor2D };
    expect(() => model.decode(codes)).toThrow('Error in DDARModel.decode: codes.geometric must have shape [N, 64], but got shape [2,15]');
    tf.dispose([wrong, images, labels, codes.appearance, codes.geometric]);
    model.dispose();
  });
});
