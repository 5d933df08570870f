import * as tf from '@tensorflow/tfjs-core';

/** Largest per-example L-inf distance between two batches. */
export function maxLinf(a: tf.Tensor, b: tf.Tensor): number {
  const max = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const value = max.dataSync()[0];
  max.dispose();
  return value;
}

/** Per-example L2 distances between two batches. */
export function l2Distances(a: tf.Tensor, b: tf.Tensor): Float32Array {
  const t = tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.reshape(tf.sub(a, b), [a.shape[0], -1])), 1)));
  const v = Float32Array.from(t.dataSync());
  t.dispose();
  return v;
}

export function range(t: tf.Tensor): [number, number] {
  const [min, max] = [tf.min(t), tf.max(t)];
  const out: [number, number] = [min.dataSync()[0], max.dataSync()[0]];
  min.dispose();
  max.dispose();
  return out;
}

export function accuracy(logits: tf.Tensor2D, labels: tf.Tensor1D | ArrayLike<number>): number {
  const pred = tf.tidy(() => tf.argMax(logits, 1)).dataSync();
  const y = labels instanceof tf.Tensor ? labels.dataSync() : labels;
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) correct++;
  return correct / pred.length;
}
