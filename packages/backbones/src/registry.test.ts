import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import type { Backbone, BackboneOptions } from './backbone.js';
import { getBackbone, listBackbones, registerBackbone } from './registry.js';
import { smallCnn } from './small_cnn.js';
import { embeddingModel, trainableParameterCount } from './test-utils/models.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

/** The bring-your-own-backbone example of the README: two dense layers on the flattened image. */
function mlp(options: BackboneOptions): Backbone {
  const prefix = options.namePrefix ?? 'mlp';
  const embeddingSize = options.embeddingSize ?? 32;
  const layers = [
    tfl.layers.flatten({ name: `${prefix}_flatten` }),
    tfl.layers.dense({ name: `${prefix}_hidden`, units: 64, activation: 'relu' }),
    tfl.layers.dense({ name: `${prefix}_embedding`, units: embeddingSize, activation: 'relu' }),
  ];
  return {
    name: 'mlp',
    options: { inputShape: options.inputShape, width: 1, embeddingSize, namePrefix: prefix },
    embeddingSize,
    apply: (input) => layers.reduce((x, layer) => layer.apply(x) as tfl.SymbolicTensor, input),
  };
}

describe('backbone registry', () => {
  it('lists the built-ins', () => {
    expect(listBackbones()).toEqual(expect.arrayContaining(['smallCnn', 'resnet20', 'resnet18']));
  });

  it('builds a built-in by name', () => {
    const backbone = getBackbone('smallCnn', { inputShape: [8, 8, 1], width: 0.125, embeddingSize: 6 });
    expect(backbone.name).toBe('smallCnn');
    expect(backbone.embeddingSize).toBe(6);
  });

  it('registers and builds a user backbone', () => {
    registerBackbone('mlp', mlp);
    expect(listBackbones()).toContain('mlp');
    const backbone = getBackbone('mlp', { inputShape: [4, 4, 2], embeddingSize: 8 });
    const model = embeddingModel(backbone);
    // 4*4*2 = 32 inputs: hidden 32*64 + 64 = 2,112; embedding 64*8 + 8 = 520.
    expect(trainableParameterCount(model)).toBe(2_632);
    const images = tf.randomUniform([3, 4, 4, 2]);
    const output = model.predict(images) as tf.Tensor;
    expect(output.shape).toEqual([3, 8]);
    tf.dispose([images, output]);
    model.dispose();
  });

  it('refuses to register a taken name unless told to override', () => {
    expect(() => registerBackbone('smallCnn', mlp)).toThrow(
      "Error in registerBackbone: a backbone named 'smallCnn' is already registered; " +
        'pass { override: true } to replace it',
    );
    const widerDefault = (options: BackboneOptions) =>
      smallCnn({ ...options, embeddingSize: options.embeddingSize ?? 7 });
    registerBackbone('smallCnn', widerDefault, { override: true });
    try {
      expect(getBackbone('smallCnn', { inputShape: [8, 8, 1] }).embeddingSize).toBe(7);
    } finally {
      registerBackbone('smallCnn', smallCnn, { override: true });
    }
    expect(getBackbone('smallCnn', { inputShape: [8, 8, 1], width: 0.125 }).embeddingSize).toBe(128);
  });

  it('names the known backbones when asked for an unknown one', () => {
    expect(() => getBackbone('vgg16', { inputShape: [32, 32, 3] })).toThrow(
      new RegExp("Error in getBackbone: no backbone named 'vgg16'; known backbones: smallCnn, resnet20, resnet18"),
    );
  });

  it('rejects bad registrations and factories that do not return a proper backbone', () => {
    expect(() => registerBackbone('', mlp)).toThrow('Error in registerBackbone: name must be a non-empty string');
    expect(() => registerBackbone('broken', 'mlp' as unknown as typeof mlp)).toThrow(
      "Error in registerBackbone: factory for 'broken' must be a function, but got string",
    );
    registerBackbone('misnamed', mlp);
    expect(() => getBackbone('misnamed', { inputShape: [4, 4, 1] })).toThrow(
      "Error in getBackbone: the factory registered as 'misnamed' returned a backbone named 'mlp' " +
        '(its name must be the registered name)',
    );
    registerBackbone('noApply', (options) => ({ ...mlp(options), name: 'noApply', apply: undefined as never }));
    expect(() => getBackbone('noApply', { inputShape: [4, 4, 1] })).toThrow(
      "the factory registered as 'noApply' returned an object without an apply(input) method",
    );
    registerBackbone('noSize', (options) => ({ ...mlp(options), name: 'noSize', embeddingSize: 0 }));
    expect(() => getBackbone('noSize', { inputShape: [4, 4, 1] })).toThrow(
      "the factory registered as 'noSize' returned embeddingSize 0 (must be a positive integer)",
    );
  });
});
