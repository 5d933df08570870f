import * as tf from '@tensorflow/tfjs-core';
import type { LabeledImages } from './training_data.js';

/** Options of {@link evaluateAccuracy}. */
export interface EvaluateAccuracyOptions {
  /** Images per forward pass. Default 256. */
  batchSize?: number;
}

/** Anything that maps images to logits, e.g. any @ddar/disentangle model. */
export interface Classifier {
  /** Logits [N, numClasses] for images [N, H, W, C]; the caller disposes the result. */
  classify(x: tf.Tensor4D): tf.Tensor2D;
}

/** The fraction of `dataset` that `model.classify` labels correctly (argmax of the logits), in [0, 1]. */
export function evaluateAccuracy(model: Classifier, dataset: LabeledImages, options: EvaluateAccuracyOptions = {}): number {
  const flags = correctPredictions(model, dataset, options, 'evaluateAccuracy');
  let correct = 0;
  for (const flag of flags) correct += flag;
  return correct / flags.length;
}

/**
 * Per image of `dataset`, in order, 1 where `model.classify` labels it correctly and 0 where not: what paired comparisons
 * of two models on the same images need.
 */
export function correctPredictions(
  model: Classifier,
  dataset: LabeledImages,
  options: EvaluateAccuracyOptions = {},
  where = 'correctPredictions',
): Uint8Array {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`${where}: options.batchSize must be an integer >= 1, but got ${String(batchSize)}`);
  }
  if (dataset.size === 0) {
    throw new Error(`${where}: dataset ${dataset.name} is empty; accuracy is undefined`);
  }
  const [images, labels] = [dataset.images.shape[0], dataset.labels.shape[0]];
  if (dataset.labels.rank !== 1 || images !== labels || images !== dataset.size) {
    throw new Error(
      `${where}: dataset ${dataset.name} holds ${images} images and labels of shape [${dataset.labels.shape}] (size ${dataset.size}); ` +
        'it needs one label per image',
    );
  }
  const flags = new Uint8Array(dataset.size);
  for (let start = 0; start < dataset.size; start += batchSize) {
    const size = Math.min(batchSize, dataset.size - start);
    const hits = tf.tidy(() => {
      const images = tf.slice(dataset.images, start, size) as tf.Tensor4D;
      const labels = tf.slice(dataset.labels, start, size);
      const logits = model.classify(images);
      if (logits.rank !== 2 || logits.shape[0] !== size) {
        throw new Error(`${where}: model.classify must return logits [${size}, numClasses], but returned [${logits.shape}]`);
      }
      return tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32');
    });
    flags.set(hits.dataSync(), start);
    hits.dispose();
  }
  return flags;
}
