import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { AutoencoderRegModel } from './autoencoder_reg_model.js';
import { BaselineModel } from './baseline_model.js';
import type { ClassifierModel } from './classifier_model.js';
import { DDARModel } from './ddar_model.js';
import { loadClassifierModel } from './load_classifier_model.js';
import { maxAbsDifference, randomBatch } from './test-utils/fixtures.js';
import { MemoryIO } from './test-utils/memory_io.js';

const SHAPE: [number, number, number] = [28, 28, 1];
const COMMON = {
  backboneName: 'smallCnn',
  backboneOptions: { width: 0.25, embeddingSize: 32 },
  inputShape: SHAPE,
  numClasses: 10,
  seed: 11,
};

const builders: Record<string, () => ClassifierModel> = {
  ddar: () => DDARModel.create({ ...COMMON, decoderWidth: 8 }),
  baseline: () => BaselineModel.create(COMMON),
  aeReg: () => AutoencoderRegModel.create({ ...COMMON, decoderWidth: 8 }),
};

describe('the compared models share one interface', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });

  it('BaselineModel: logits from backbone + linear layer, cross-entropy only', () => {
    const model = BaselineModel.create(COMMON);
    const { images, labels } = randomBatch(4, SHAPE, 10, 1);
    expect(model.classify(images).shape).toEqual([4, 10]);
    expect(model.network.outputs).toHaveLength(1);
    // The reconstruction and smoothness weights have nothing to act on and are ignored.
    const { total, terms } = model.lossTerms(images, labels, { reconstruction: 5, smoothness: 5 });
    expect(Object.keys(terms)).toEqual(['classification']);
    expect(total.dataSync()[0]).toBeCloseTo(terms.classification.dataSync()[0], 6);
    tf.dispose([images, labels, total, terms.classification]);
    model.dispose();
  });

  it('AutoencoderRegModel: one code, a plain reconstruction, cross-entropy + reconstruction', () => {
    const model = AutoencoderRegModel.create({ ...COMMON, decoderWidth: 8 });
    const { images, labels } = randomBatch(4, SHAPE, 10, 2);
    expect(model.config.codeSize).toBe(72);
    const reconstruction = model.reconstruct(images);
    expect(reconstruction.shape).toEqual([4, 28, 28, 1]);
    const { total, terms } = model.lossTerms(images, labels, { reconstruction: 3, smoothness: 7 });
    expect(Object.keys(terms).sort()).toEqual(['classification', 'reconstruction']);
    const expected = terms.classification.dataSync()[0] + 3 * terms.reconstruction!.dataSync()[0];
    expect(total.dataSync()[0]).toBeCloseTo(expected, 5);
    tf.dispose([images, labels, reconstruction, total, ...Object.values(terms)]);
    model.dispose();
  });

  it.each(Object.keys(builders))('%s: returns the logits of the loss pass only when asked, as the caller\'s tensor', (kind) => {
    const model = builders[kind]();
    const { images, labels } = randomBatch(4, SHAPE, 10, 3);
    const plain = model.lossTerms(images, labels);
    expect(plain.logits).toBeUndefined();
    const before = tf.memory().numTensors;
    const withLogits = model.lossTerms(images, labels, {}, { returnLogits: true });
    // total, one scalar per term, and the logits: nothing else of the forward pass survives.
    expect(tf.memory().numTensors - before).toBe(1 + Object.keys(withLogits.terms).length + 1);
    const classified = model.classify(images);
    // smallCnn has no batch norm or dropout, so training-mode logits are the inference-mode ones.
    expect(maxAbsDifference(withLogits.logits!, classified)).toBeLessThan(1e-5);
    expect(withLogits.total.dataSync()[0]).toBeCloseTo(plain.total.dataSync()[0], 6);
    expect(() => model.lossTerms(images, labels, {}, { returnLogits: 'yes' as unknown as boolean })).toThrow('options.returnLogits must be a boolean');
    tf.dispose([images, labels, classified, plain.total, withLogits.total, withLogits.logits!, ...Object.values(plain.terms), ...Object.values(withLogits.terms)]);
    model.dispose();
  });

  it.each(Object.keys(builders))('%s: gradients reach every weight, and training lowers the loss', (kind) => {
    const model = builders[kind]();
    expect(model.kind).toBe(kind);
    const { images, labels } = randomBatch(8, SHAPE, 10, 3);
    const loss = () => model.lossTerms(images, labels).total;
    const { value, grads } = tf.variableGrads(loss, model.trainableWeights);
    const silent = Object.entries(grads)
      .filter(([, g]) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) === 0)
      .map(([name]) => name);
    expect(silent).toEqual([]);
    const first = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    const optimizer = tf.train.adam(3e-3);
    for (let i = 0; i < 15; i++) optimizer.minimize(loss, false, model.trainableWeights);
    const last = tf.tidy(() => loss().dataSync()[0]);
    expect(last).toBeLessThan(0.8 * first);
    optimizer.dispose();
    tf.dispose([images, labels]);
    model.dispose();
  });

  it.each(['ddar', 'aeReg'])('%s: options.reconstructionTarget replaces the input in the reconstruction term only', (kind) => {
    const model = builders[kind]();
    const { images, labels } = randomBatch(4, SHAPE, 10, 5);
    // No batch norm in these models, so repeated training-mode passes give the same values.
    const termsFor = (target?: tf.Tensor4D) =>
      tf.tidy(() => {
        const { total, terms } = model.lossTerms(images, labels, {}, target === undefined ? {} : { reconstructionTarget: target });
        return [total, terms.classification, terms.reconstruction!].map((t) => t.dataSync()[0]);
      });
    // Black, not 1 - x: an untrained decoder outputs about 0.5 everywhere, equally far from x and 1 - x.
    const black = tf.zerosLike(images) as tf.Tensor4D;
    const [byDefault, toImages, toBlack] = [termsFor(), termsFor(images), termsFor(black)];
    expect(toImages).toEqual(byDefault);
    expect(toBlack[1]).toBe(byDefault[1]);
    expect(Math.abs(toBlack[2] - byDefault[2])).toBeGreaterThan(0.05);
    const half = tf.slice(images, 0, 2) as tf.Tensor4D;
    expect(() => model.lossTerms(images, labels, {}, { reconstructionTarget: half })).toThrow(
      `options.reconstructionTarget [2,28,28,1] must have the shape of images [4,28,28,1]`,
    );
    tf.dispose([images, labels, black, half]);
    model.dispose();
  });

  it.each(Object.keys(builders))('%s: save -> loadClassifierModel gives the same kind and identical logits', async (kind) => {
    const model = builders[kind]();
    const { images } = randomBatch(3, SHAPE, 10, 4);
    const io = new MemoryIO();
    await model.save(io);
    const loaded = await loadClassifierModel(io);
    expect(loaded.kind).toBe(kind);
    expect(loaded.config).toEqual(model.config);
    const [a, b] = [model.classify(images), loaded.classify(images)];
    expect(maxAbsDifference(a, b)).toBe(0);
    tf.dispose([images, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('AutoencoderRegModel.load and BaselineModel.load refuse the other kinds', async () => {
    const model = builders.aeReg();
    const io = new MemoryIO();
    await model.save(io);
    await expect(BaselineModel.load(io)).rejects.toThrow("the saved model is a 'aeReg' model, not a 'baseline' model");
    const loaded = await AutoencoderRegModel.load(io);
    expect(loaded.kind).toBe('aeReg');
    loaded.dispose();
    model.dispose();
  });
});

describe('loading checks the metadata against the network', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });

  /** The saved baseline with its recorded configuration edited as a user of the model.json might. */
  async function editedBaseline(edit: (config: Record<string, unknown>) => void): Promise<MemoryIO> {
    const model = builders.baseline();
    const io = new MemoryIO();
    await model.save(io);
    model.dispose();
    const metadata = io.artifacts!.userDefinedMetadata as Record<string, Record<string, unknown>>;
    const key = Object.keys(metadata)[0];
    edit(metadata[key]);
    return io;
  }

  it.each([
    ['numClasses', (c: Record<string, unknown>) => (c.numClasses = 12), 'the metadata says numClasses 12 but the logits layer has 10 units'],
    ['kind', (c: Record<string, unknown>) => (c.kind = 'ddar'), "the metadata of this 'ddar' model does not name layers.appearanceCode, which a 'ddar' model needs"],
    ['inputShape', (c: Record<string, unknown>) => (c.inputShape = [32, 32, 3]), 'the metadata says inputShape [32,32,3] but the network takes [28,28,1]'],
  ])('refuses an edited %s, naming it', async (_field, edit, message) => {
    const before = tf.memory().numTensors;
    await expect(loadClassifierModel(await editedBaseline(edit))).rejects.toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });
});
