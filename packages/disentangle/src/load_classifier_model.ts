import type * as tf from '@tensorflow/tfjs-core';
import { AutoencoderRegModel } from './autoencoder_reg_model.js';
import { BaselineModel } from './baseline_model.js';
import type { ClassifierModel } from './classifier_model.js';
import { DDARModel } from './ddar_model.js';
import { loadNetwork } from './model_io.js';

/**
 * Loads any model saved by this package (DDAR, baseline or AE-reg), choosing the class from the
 * `kind` recorded in the model.json; for code that evaluates whatever it is given.
 */
export async function loadClassifierModel(source: string | tf.io.IOHandler): Promise<ClassifierModel> {
  const { network, config } = await loadNetwork('loadClassifierModel', source);
  switch (config.kind) {
    case 'ddar':
      return DDARModel.fromNetwork(network, config);
    case 'baseline':
      return BaselineModel.fromNetwork(network, config);
    case 'aeReg':
      return AutoencoderRegModel.fromNetwork(network, config);
  }
}
