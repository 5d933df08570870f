import * as tf from '@tensorflow/tfjs-core';
import { readIdx } from '@ddar/datasets';
import { DDARModel, loadClassifierModel, type ClassifierModel } from '@ddar/disentangle';

/** What scripts/make-models.mjs recorded about the shipped models (public/models/models.json). */
export interface ModelsRecord {
  commit: string;
  date: string;
  models: Record<'baseline' | 'ddar', { trainCommand: string; testExamples: number; cleanAccuracy: number; bytes: number }>;
}

export interface PlaygroundModels {
  baseline: ClassifierModel;
  ddar: DDARModel;
  record: ModelsRecord;
}

/** The bundled test digits: the first 100 of the MNIST test set (scripts/make-digits.mjs), pixels in [0, 1]. */
export interface Digits {
  count: number;
  /** count x 28 x 28 values. */
  pixels: Float32Array;
  labels: Int32Array;
}

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url.pathname}: the server answered ${response.status} ${response.statusText}`);
  return response;
}

/** Loads the two models and their record from `base` (the app's folder), over HTTP as a static host serves them. */
export async function loadModels(base: URL): Promise<PlaygroundModels> {
  const [record, baseline, ddar] = await Promise.all([
    fetchOk(new URL('models/models.json', base)).then((r) => r.json() as Promise<ModelsRecord>),
    loadClassifierModel(new URL('models/baseline/model.json', base).href),
    loadClassifierModel(new URL('models/ddar/model.json', base).href),
  ]);
  if (!(ddar instanceof DDARModel)) {
    throw new Error(`models/ddar/model.json holds a ${ddar.kind} model, not a DDAR model: regenerate the models (scripts/make-models.mjs)`);
  }
  return { baseline, ddar, record };
}

export async function loadDigits(base: URL): Promise<Digits> {
  const [images, labels] = await Promise.all(
    ['digits/mnist-test-100-images.idx', 'digits/mnist-test-100-labels.idx'].map(async (path) => {
      const bytes = new Uint8Array(await (await fetchOk(new URL(path, base))).arrayBuffer());
      return readIdx(bytes, { name: path });
    }),
  );
  const count = images.dims[0];
  if (labels.dims[0] !== count || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new Error(`the bundled digits are malformed: images [${images.dims}], labels [${labels.dims}]`);
  }
  return { count, pixels: Float32Array.from(images.data, (v) => v / 255), labels: Int32Array.from(labels.data) };
}

/** Digits `start` to `start + count - 1` as a tensor [count, 28, 28, 1]. */
export function digitTensor(digits: Digits, start: number, count: number): tf.Tensor4D {
  return tf.tensor4d(digits.pixels.subarray(start * 784, (start + count) * 784), [count, 28, 28, 1]);
}
