import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import type { Backbone } from './backbone.js';
import { resnet18 } from './resnet18.js';
import { resnet20 } from './resnet20.js';
import { smallCnn } from './small_cnn.js';
import { embed, embeddingModel } from './test-utils/models.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

/** Saves to memory and loads back with the stock loader: only built-in layer classes may appear. */
async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (saved === undefined) throw new Error('the save handler was not called');
  return tfl.loadLayersModel(tf.io.fromMemory(saved));
}

/**
 * Random values for every weight, so the comparison covers them all (fresh batch norms would be
 * the identity); moving variances must stay positive.
 */
function randomizeWeights(model: tfl.LayersModel): void {
  const values = model.weights.map((weight, i) =>
    weight.name.includes('moving_variance')
      ? tf.randomUniform(weight.shape as number[], 0.5, 1.5, 'float32', i)
      : tf.randomNormal(weight.shape as number[], 0, 0.3, 'float32', i),
  );
  model.setWeights(values);
  tf.dispose(values);
}

const cases: [string, () => Backbone][] = [
  ['smallCnn', () => smallCnn({ inputShape: [8, 8, 1], width: 0.125, embeddingSize: 6 })],
  ['resnet20 (option A: rescaling + concatenate)', () => resnet20({ inputShape: [8, 8, 3], width: 0.25 })],
  ['resnet18 (option B, projection)', () => resnet18({ inputShape: [8, 8, 2], width: 1 / 16, embeddingSize: 4 })],
];

describe('save / load round trip', () => {
  it.each(cases)('%s reloads with tf.loadLayersModel and gives identical embeddings', async (_, build) => {
    const model = embeddingModel(build());
    randomizeWeights(model);
    const loaded = await roundTrip(model);
    expect(loaded.layers.map((layer) => layer.name)).toEqual(model.layers.map((layer) => layer.name));
    const [height, width, channels] = model.inputs[0].shape.slice(1) as number[];
    const images = tf.randomUniform([2, height, width, channels], 0, 1, 'float32', 3);
    const original = embed(model, images);
    expect(original.some((v) => v !== 0)).toBe(true);
    expect(embed(loaded, images)).toEqual(original);
    tf.dispose(images);
    model.dispose();
    loaded.dispose();
  });
});
