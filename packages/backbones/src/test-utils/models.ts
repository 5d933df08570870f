import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone } from '../backbone.js';

/** A functional model from an image input straight to the backbone's embedding. */
export function embeddingModel(backbone: Backbone): tfl.LayersModel {
  const input = tfl.input({ shape: [...backbone.options.inputShape], name: `${backbone.options.namePrefix}_input` });
  return tfl.model({ inputs: input, outputs: backbone.apply(input) });
}

/** Number of trainable scalars (what papers report; batch-norm moving statistics excluded). */
export function trainableParameterCount(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((total, weight) => total + sizeOf(weight.shape), 0);
}

function sizeOf(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((product, size) => product * (size ?? 0), 1);
}

/** Embeddings of `images` in inference mode, as a plain array. */
export function embed(model: tfl.LayersModel, images: tf.Tensor): number[] {
  return tf.tidy(() => Array.from((model.predict(images) as tf.Tensor).dataSync()));
}

/** Runs `call` once to warm up, then several times, and returns the tensors those later calls left behind. */
export function tensorsLeakedBy(call: () => void, repeats = 3): number {
  call();
  const before = tf.memory().numTensors;
  for (let i = 0; i < repeats; i++) call();
  return tf.memory().numTensors - before;
}
