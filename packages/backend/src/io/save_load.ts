import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fileSystem } from './file_system.js';

/** Anything with a tfjs-layers style `save(handler)`: a LayersModel, or a model of ours. */
export interface Saveable {
  /** Writes the model through `handlerOrURL`; `saveModel` passes a file-system handler. */
  save(handlerOrURL: tf.io.IOHandler | string, config?: tf.io.SaveConfig): Promise<tf.io.SaveResult>;
}

/** Saves a model to `directory` (plain path or `file://` URL) as `model.json` + weights, atomically. */
export async function saveModel(model: Saveable, directory: string): Promise<tf.io.SaveResult> {
  return model.save(fileSystem(directory));
}

/** Loads a LayersModel saved in the standard tfjs format from a directory (or its model.json). */
export async function loadModel(directory: string): Promise<tfl.LayersModel> {
  let layers: typeof tfl;
  try {
    layers = await import('@tensorflow/tfjs-layers');
  } catch {
    throw new Error('loadModel: @tensorflow/tfjs-layers is not installed; install it to load LayersModels');
  }
  return layers.loadLayersModel(fileSystem(directory));
}
