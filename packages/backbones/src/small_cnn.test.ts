import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import { smallCnn } from './small_cnn.js';
import { embed, embeddingModel, tensorsLeakedBy, trainableParameterCount } from './test-utils/models.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

describe('smallCnn', () => {
  it("is Madry et al.'s MNIST convnet at width 1: [N, 1024] and 3,264,384 parameters", () => {
    const backbone = smallCnn({ inputShape: [28, 28, 1] });
    const model = embeddingModel(backbone);
    // conv1 5*5*1*32 + 32 = 832; conv2 5*5*32*64 + 64 = 51,264;
    // 28 -> 14 -> 7 after two pools: dense (7*7*64)*1024 + 1024 = 3,212,288. Sum 3,264,384.
    expect(model.countParams()).toBe(3_264_384);
    expect(trainableParameterCount(model)).toBe(3_264_384);
    expect(backbone.embeddingSize).toBe(1024);
    const images = tf.randomUniform([2, 28, 28, 1]);
    const output = model.predict(images) as tf.Tensor;
    expect(output.shape).toEqual([2, 1024]);
    tf.dispose([images, output]);
    model.dispose();
  });

  it('scales with width, takes any channel count and rounds odd sizes down in the pools', () => {
    const backbone = smallCnn({ inputShape: [12, 10, 3], width: 0.5, embeddingSize: 10 });
    expect(backbone.options).toEqual({
      inputShape: [12, 10, 3],
      width: 0.5,
      embeddingSize: 10,
      namePrefix: 'smallCnn',
    });
    const model = embeddingModel(backbone);
    // conv1 5*5*3*16 + 16 = 1,216; conv2 5*5*16*32 + 32 = 12,832;
    // 12x10 -> 6x5 -> 3x2: dense (3*2*32)*10 + 10 = 1,930. Sum 15,978.
    expect(model.countParams()).toBe(15_978);
    const images = tf.randomUniform([3, 12, 10, 3]);
    const output = model.predict(images) as tf.Tensor;
    expect(output.shape).toEqual([3, 10]);
    // The embedding is a ReLU output.
    expect(Math.min(...Array.from(output.dataSync()))).toBeGreaterThanOrEqual(0);
    tf.dispose([images, output]);
    model.dispose();
  });

  it('defaults the embedding to 1024 * width units', () => {
    expect(smallCnn({ inputShape: [28, 28, 1], width: 0.25 }).embeddingSize).toBe(256);
  });

  it('names its layers deterministically from namePrefix', () => {
    const model = embeddingModel(smallCnn({ inputShape: [8, 8, 1], width: 0.125, namePrefix: 'encoder' }));
    expect(model.layers.map((layer) => layer.name)).toEqual([
      'encoder_input',
      'encoder_conv1',
      'encoder_pool1',
      'encoder_conv2',
      'encoder_pool2',
      'encoder_flatten',
      'encoder_embedding',
    ]);
    model.dispose();
  });

  it('gives identical initial weights for the same seed and different ones for another seed', () => {
    const weightsFor = (seed: number) => {
      const model = embeddingModel(smallCnn({ inputShape: [8, 8, 1], width: 0.125, embeddingSize: 4, seed }));
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    const first = weightsFor(7);
    expect(weightsFor(7)).toEqual(first);
    expect(weightsFor(8)[0]).not.toEqual(first[0]);
    // Per-layer seeds: layers of one model must not share a random stream.
    expect(first[0].slice(0, 4)).not.toEqual(first[2].slice(0, 4));
  });

  it('shares its weights when applied twice, and coexists with another prefix in one model', () => {
    const shared = smallCnn({ inputShape: [8, 8, 1], width: 0.125, embeddingSize: 4 });
    const other = smallCnn({ inputShape: [8, 8, 1], width: 0.125, embeddingSize: 4, namePrefix: 'other' });
    const a = tfl.input({ shape: [8, 8, 1] });
    const b = tfl.input({ shape: [8, 8, 1] });
    const model = tfl.model({ inputs: [a, b], outputs: [shared.apply(a), shared.apply(b), other.apply(a)] });
    const single = embeddingModel(smallCnn({ inputShape: [8, 8, 1], width: 0.125, embeddingSize: 4 }));
    expect(model.countParams()).toBe(2 * single.countParams());
    const images = tf.randomUniform([1, 8, 8, 1]);
    const [fromA, fromB] = model.predict([images, images]) as tf.Tensor[];
    expect(Array.from(fromA.dataSync())).toEqual(Array.from(fromB.dataSync()));
    tf.dispose([images, fromA, fromB]);
    model.dispose();
    single.dispose();
  });

  it('rejects inputs it cannot take and bad options with clear errors', () => {
    expect(() => smallCnn({ inputShape: [3, 28, 1] })).toThrow(
      'Error in smallCnn: options.inputShape height and width must be at least 4 (two 2x2 max-pools), ' +
        'but got [3, 28, 1]',
    );
    expect(() => smallCnn({ inputShape: [28, 28] as unknown as [number, number, number] })).toThrow(
      'Error in smallCnn: options.inputShape must be [height, width, channels] of positive integers, but got [28, 28]',
    );
    expect(() => smallCnn({ inputShape: [28, 28, 0] })).toThrow('but got [28, 28, 0]');
    expect(() => smallCnn({ inputShape: [28, 28, 1], width: 0 })).toThrow(
      'options.width must be a finite number > 0, but got 0',
    );
    expect(() => smallCnn({ inputShape: [28, 28, 1], embeddingSize: 1.5 })).toThrow(
      'options.embeddingSize must be a positive integer, but got 1.5',
    );
    expect(() => smallCnn({ inputShape: [28, 28, 1], namePrefix: 'a/b' })).toThrow(
      "options.namePrefix must start with a letter and contain only letters, digits, '_', '.', '-', but got 'a/b'",
    );
    expect(() => smallCnn({ inputShape: [28, 28, 1], seed: NaN })).toThrow('options.seed must be a finite number');
    expect(() => smallCnn(undefined as unknown as { inputShape: [number, number, number] })).toThrow(
      'Error in smallCnn: options must be an object with an inputShape, but got undefined',
    );
  });

  it('rejects a symbolic input of another shape than it was built for', () => {
    const backbone = smallCnn({ inputShape: [28, 28, 1] });
    expect(() => backbone.apply(tfl.input({ shape: [32, 32, 3] }))).toThrow(
      'Error in smallCnn.apply: input must have shape [null, 28, 28, 1] (the options.inputShape the backbone was ' +
        'built for), but got [null, 32, 32, 3]',
    );
  });

  it('does not leak tensors across repeated predictions', () => {
    const model = embeddingModel(smallCnn({ inputShape: [8, 8, 1], width: 0.125, embeddingSize: 4 }));
    const images = tf.randomUniform([2, 8, 8, 1]);
    expect(tensorsLeakedBy(() => embed(model, images))).toBe(0);
    images.dispose();
    model.dispose();
  });
});
