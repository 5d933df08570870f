import * as tf from '@tensorflow/tfjs-core';

/** logits = flatten(x) W + b, with W given as rows [inputDim][numClasses]: a model whose gradients are known in closed form. */
export function linearModel(weights: number[][], bias: number[]): (x: tf.Tensor4D) => tf.Tensor2D {
  const w = tf.tensor2d(weights);
  const b = tf.tensor1d(bias);
  return (x) => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], -1]), w), b);
}
