import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { resnet18 } from './resnet18.js';
import { embeddingModel, trainableParameterCount } from './test-utils/models.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

describe('resnet18', () => {
  // The full-size network is ~11M parameters: build it once and run one forward pass on one image.
  it('is the CIFAR ResNet-18 (option B): [N, 512] and 11,168,832 trainable parameters', () => {
    const backbone = resnet18({ inputShape: [32, 32, 3] });
    expect(backbone.options.shortcut).toBe('B');
    expect(backbone.embeddingSize).toBe(512);
    const model = embeddingModel(backbone);
    // Convolutions have no bias; a batch norm has 2 trainable values per channel.
    // stem: 3*3*3*64 + 2*64 = 1,856
    // stage 1: 2 * (2 * 3*3*64*64 + 2 * 2*64) = 147,968
    // stage 2: (3*3*64*128 + 3*3*128*128 + 2*2*128 + 1*1*64*128 + 2*128) + (2 * 3*3*128*128 + 2*2*128)
    //          = 230,144 + 295,424 = 525,568
    // stage 3: same pattern with 128 -> 256: 919,040 + 1,180,672 = 2,099,712
    // stage 4: same pattern with 256 -> 512: 3,673,088 + 4,720,640 = 8,393,728
    // Total 11,168,832 (11,173,962 with a 10-way classifier, the usual "11.17M").
    expect(trainableParameterCount(model)).toBe(11_168_832);
    const image = tf.randomUniform([1, 32, 32, 3]);
    const output = model.predict(image) as tf.Tensor;
    expect(output.shape).toEqual([1, 512]);
    expect(Array.from(output.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([image, output]);
    model.dispose();
  });

  it('scales with width, supports option A, and takes any channel count', () => {
    const backbone = resnet18({ inputShape: [8, 16, 1], width: 1 / 16, shortcut: 'A', embeddingSize: 3 });
    const model = embeddingModel(backbone);
    // 4, 8, 16, 32 filters; no shortcut convolutions with option A.
    expect(model.layers.some((layer) => layer.name.endsWith('_shortcut_conv'))).toBe(false);
    expect(model.getLayer('resnet18_projection').countParams()).toBe(32 * 3 + 3);
    const images = tf.randomUniform([2, 8, 16, 1]);
    const output = model.predict(images) as tf.Tensor;
    expect(output.shape).toEqual([2, 3]);
    tf.dispose([images, output]);
    model.dispose();
  });

  it('rejects inputs whose size its three stride-2 stages cannot halve exactly', () => {
    expect(() => resnet18({ inputShape: [36, 36, 3] })).toThrow(
      'Error in resnet18: options.inputShape height and width must be multiples of 8 (3 stride-2 stages that must ' +
        'halve them exactly), but got [36, 36, 3]',
    );
    expect(() => resnet18({ inputShape: [32, 32, 3], embeddingSize: 0 })).toThrow(
      'options.embeddingSize must be a positive integer, but got 0',
    );
  });
});
