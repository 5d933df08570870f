import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { resnet20 } from './resnet20.js';
import { embed, embeddingModel, tensorsLeakedBy, trainableParameterCount } from './test-utils/models.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

describe('resnet20', () => {
  it('is He et al.\'s CIFAR ResNet-20 (option A): [N, 64] and 269,072 trainable parameters', () => {
    const backbone = resnet20({ inputShape: [32, 32, 3] });
    expect(backbone.options.shortcut).toBe('A');
    const model = embeddingModel(backbone);
    // Convolutions have no bias; each batch norm has 2 trainable and 2 moving values per channel.
    // stem: 3*3*3*16 + 2*16 = 464
    // stage 1: 3 blocks * (2 * 3*3*16*16 + 2 * 2*16) = 3 * 4,672 = 14,016
    // stage 2: (3*3*16*32 + 3*3*32*32 + 2*2*32) + 2 * (2 * 3*3*32*32 + 2*2*32) = 13,952 + 37,120 = 51,072
    // stage 3: (3*3*32*64 + 3*3*64*64 + 2*2*64) + 2 * (2 * 3*3*64*64 + 2*2*64) = 55,552 + 147,968 = 203,520
    // Option A shortcuts have no parameters. Total 269,072 (269,722 with a 10-way classifier: "0.27M").
    expect(trainableParameterCount(model)).toBe(269_072);
    // Moving mean and variance: 2 * (16 + 6*16 + 6*32 + 6*64) = 1,376.
    expect(model.countParams()).toBe(269_072 + 1_376);
    const images = tf.randomUniform([2, 32, 32, 3]);
    const output = model.predict(images) as tf.Tensor;
    expect(output.shape).toEqual([2, 64]);
    tf.dispose([images, output]);
    model.dispose();
  });

  it('adds 1x1 projections for option B', () => {
    const model = embeddingModel(resnet20({ inputShape: [32, 32, 3], shortcut: 'B' }));
    // 16*32 + 2*32 and 32*64 + 2*64 trainable on top of option A.
    expect(trainableParameterCount(model)).toBe(269_072 + 576 + 2_176);
    model.dispose();
  });

  it('scales with width, takes any channel count, and projects to a requested embedding size', () => {
    const backbone = resnet20({ inputShape: [8, 12, 1], width: 0.25, embeddingSize: 5, namePrefix: 'tiny', seed: 1 });
    expect(backbone.options).toEqual({
      inputShape: [8, 12, 1],
      width: 0.25,
      embeddingSize: 5,
      namePrefix: 'tiny',
      seed: 1,
      shortcut: 'A',
    });
    const model = embeddingModel(backbone);
    // Width 0.25: 4, 8, 16 filters; the 16 pooled features go through a dense 16*5 + 5.
    expect(model.getLayer('tiny_projection').countParams()).toBe(85);
    expect(model.getLayer('tiny_stage3_block3_2_conv').countParams()).toBe(3 * 3 * 16 * 16);
    const images = tf.randomUniform([3, 8, 12, 1]);
    const output = model.predict(images) as tf.Tensor;
    expect(output.shape).toEqual([3, 5]);
    tf.dispose([images, output]);
    model.dispose();
  });

  it('option A shortcut is the subsampled identity padded with zero channels', () => {
    const model = embeddingModel(resnet20({ inputShape: [8, 8, 1], width: 0.25 }));
    const layer = (suffix: string) => model.getLayer(`resnet20_stage2_block1_shortcut_${suffix}`);
    // The stage-2 shortcut takes the 8x8x4 output of stage 1 to 4x4x8; run its layers on a probe.
    const probe = tf.tensor4d(Array.from({ length: 8 * 8 * 4 }, (_, i) => i + 1), [1, 8, 8, 4]);
    const [shortcut, expected] = tf.tidy(() => {
      const subsampled = layer('subsample').apply(probe) as tf.Tensor;
      const padded = layer('pad').apply([subsampled, layer('zeros').apply(subsampled) as tf.Tensor]) as tf.Tensor;
      const everyOtherPixel = tf.stridedSlice(probe, [0, 0, 0, 0], [1, 8, 8, 4], [1, 2, 2, 1]);
      return [padded, tf.concat([everyOtherPixel, tf.zeros([1, 4, 4, 4])], 3)];
    });
    expect(shortcut.shape).toEqual([1, 4, 4, 8]);
    expect(Array.from(shortcut.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(layer('subsample').countParams() + layer('zeros').countParams()).toBe(0);
    tf.dispose([probe, shortcut, expected]);
    model.dispose();
  });

  it('rejects inputs whose size the two stride-2 stages cannot halve exactly, and bad shortcuts', () => {
    expect(() => resnet20({ inputShape: [30, 32, 3] })).toThrow(
      'Error in resnet20: options.inputShape height and width must be multiples of 4 (2 stride-2 stages that must ' +
        'halve them exactly), but got [30, 32, 3]',
    );
    expect(() => resnet20({ inputShape: [32, 32, 3], shortcut: 'C' as 'A' })).toThrow(
      "Error in resnet20: options.shortcut must be 'A' or 'B', but got C",
    );
    expect(() => resnet20({ inputShape: [32, 32, 3], width: -1 })).toThrow('options.width must be a finite number > 0');
  });

  it('does not leak tensors across repeated predictions', () => {
    const model = embeddingModel(resnet20({ inputShape: [8, 8, 2], width: 0.25 }));
    const images = tf.randomUniform([2, 8, 8, 2]);
    expect(tensorsLeakedBy(() => embed(model, images))).toBe(0);
    images.dispose();
    model.dispose();
  });
});
