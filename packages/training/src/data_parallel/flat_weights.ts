import * as tf from '@tensorflow/tfjs-core';
import type { ModelWeight, TrainableModel } from '../trainable_model.js';
import { trainableVariables } from '../trainable_model.js';

/** A model weight seen as a run of float32 values in a flat buffer shared by the copies of a model. */
export interface FlatWeight {
  readonly name: string;
  readonly shape: number[];
  readonly size: number;
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

function flatWeight(name: string, shape: ReadonlyArray<number | null>, read: () => tf.Tensor, write: (value: tf.Tensor) => void): FlatWeight {
  if (shape.some((dimension) => dimension === null)) {
    throw new Error(`weight ${name} has an unknown dimension [${shape.join(', ')}]; build the model before training it`);
  }
  const dims = shape as number[];
  return { name, shape: [...dims], size: dims.reduce((a, b) => a * b, 1), read, write };
}

/**
 * Every weight of the model, trainable or not (batch-norm statistics too), named as `model.json` stores them: what a
 * checkpoint restores, and what a data-parallel worker's copy must receive to compute with the main model's state.
 */
export function allWeights(model: TrainableModel): FlatWeight[] {
  const weights: ReadonlyArray<tf.Variable | ModelWeight> = model.network?.weights ?? model.trainableWeights;
  return weights.map((weight) =>
    weight instanceof tf.Variable
      ? flatWeight(weight.name, weight.shape, () => weight, (value) => weight.assign(value))
      : flatWeight(weight.originalName, weight.shape, () => weight.read(), (value) => void weight.write(value)),
  );
}

/** The trainable variables as flat weights, in the order training keeps them. */
export function trainableFlatWeights(model: TrainableModel): FlatWeight[] {
  return trainableVariables(model).map((variable) => flatWeight(variable.name, variable.shape, () => variable, (value) => variable.assign(value)));
}

/** The weights of {@link allWeights} that training does not update (batch-norm statistics), in the same order. */
export function frozenWeights(model: TrainableModel): FlatWeight[] {
  const trainable = new Set<tf.Tensor>(trainableVariables(model));
  return allWeights(model).filter((weight) => !trainable.has(weight.read()));
}

/** Total float32 values of `weights`. */
export function flatSize(weights: ReadonlyArray<{ size: number }>): number {
  return weights.reduce((sum, weight) => sum + weight.size, 0);
}

/** Shapes, in order, so that two copies of a model can check they agree before exchanging buffers. */
export function shapesOf(weights: ReadonlyArray<FlatWeight>): number[][] {
  return weights.map((weight) => weight.shape);
}

interface HeapBackend {
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array;
}

/**
 * The values of a float32 tensor, to be read at once: on the wasm backend a view on its heap (no copy; it goes stale
 * when the heap grows), elsewhere `dataSync()`.
 */
export function float32Values(tensor: tf.Tensor): Float32Array {
  if (tensor.dtype !== 'float32') throw new Error(`data parallel: a ${tensor.dtype} tensor cannot be shared; only float32 weights can`);
  const backend = tf.backend() as unknown as Partial<HeapBackend>;
  return typeof backend.typedArrayFromHeap === 'function' ? backend.typedArrayFromHeap(tensor) : (tensor.dataSync() as Float32Array);
}

/** Copies `tensors` into `target`, back to back. */
export function copyTensorsInto(tensors: ReadonlyArray<tf.Tensor>, target: Float32Array): void {
  let offset = 0;
  for (const tensor of tensors) {
    target.set(float32Values(tensor), offset);
    offset += tensor.size;
  }
}

/** Copies the current values of `weights` into `target`, back to back. */
export function readWeightsInto(weights: ReadonlyArray<FlatWeight>, target: Float32Array): void {
  copyTensorsInto(weights.map((weight) => weight.read()), target);
}

/** Overwrites `weights` with the values in `source`, laid out as {@link readWeightsInto} writes them. */
export function writeWeightsFrom(weights: ReadonlyArray<FlatWeight>, source: Float32Array): void {
  let offset = 0;
  for (const weight of weights) {
    // A copy, never a view: a backend may keep the array it is given, and the shared buffer changes every step.
    const value = tf.tensor(source.slice(offset, offset + weight.size), weight.shape, 'float32');
    try {
      weight.write(value);
    } finally {
      value.dispose();
    }
    offset += weight.size;
  }
}
