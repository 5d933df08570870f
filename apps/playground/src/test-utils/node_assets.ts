import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fileSystem } from '@ddar/backend';
import { readIdx } from '@ddar/datasets';
import { DDARModel, loadClassifierModel, type ClassifierModel } from '@ddar/disentangle';

/** The app's public folder: the models and digits the page loads, read here from disk by Node.js. */
export const PUBLIC_DIR = join(__dirname, '..', '..', 'public');

export async function loadModelsFromDisk(): Promise<{ baseline: ClassifierModel; ddar: DDARModel }> {
  const baseline = await loadClassifierModel(fileSystem(join(PUBLIC_DIR, 'models', 'baseline')));
  const ddar = await loadClassifierModel(fileSystem(join(PUBLIC_DIR, 'models', 'ddar')));
  if (!(ddar instanceof DDARModel)) throw new Error('public/models/ddar does not hold a DDAR model');
  return { baseline, ddar };
}

/** The bundled digits as the page reads them: uint8 pixels / 255, and their labels. */
export function loadDigitsFromDisk(): { pixels: Float32Array; labels: Int32Array; count: number } {
  const images = readIdx(join(PUBLIC_DIR, 'digits', 'mnist-test-100-images.idx'));
  const labels = readIdx(join(PUBLIC_DIR, 'digits', 'mnist-test-100-labels.idx'));
  return { pixels: Float32Array.from(images.data, (v) => v / 255), labels: Int32Array.from(labels.data), count: images.dims[0] };
}

/** Digits start .. start + count - 1 as [count, 28, 28, 1]. */
export function digitsTensor(pixels: Float32Array, start: number, count: number): tf.Tensor4D {
  return tf.tensor4d(pixels.subarray(start * 784, (start + count) * 784), [count, 28, 28, 1]);
}
