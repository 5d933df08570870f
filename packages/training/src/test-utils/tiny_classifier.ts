import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ddarObjective } from '@ddar/losses';
import type { LossTerms, LossTermsOptions, LossWeights, ModelWeight, TrainableModel } from '../trainable_model.js';

export interface TinyClassifierOptions {
  inputShape: [number, number, number];
  numClasses: number;
  hidden?: number;
  seed: number;
}

/**
 * A small MLP (with batch norm) and a decoder, standing in for a @ddar/disentangle model where a test needs control the real models do
 * not offer (e.g. a loss that turns NaN). Its loss is the real DDAR objective with classification and reconstruction.
 */
export class TinyClassifier implements TrainableModel {
  readonly kind = 'tiny';
  private readonly full: tfl.LayersModel;
  private readonly classifier: tfl.LayersModel;
  /** When set, lossTerms multiplies the reconstruction term by this (NaN makes it NaN). */
  reconstructionFactor = 1;

  constructor(readonly options: TinyClassifierOptions) {
    const [h, w, c] = options.inputShape;
    let seed = options.seed;
    const init = () => tfl.initializers.glorotUniform({ seed: seed++ });
    const input = tfl.input({ shape: options.inputShape });
    const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    const hidden = tfl.layers.dense({ units: options.hidden ?? 16, kernelInitializer: init(), name: 'hidden' }).apply(flat);
    // Batch norm gives the model non-trainable state (moving statistics) that checkpoints must carry too.
    const normalized = tfl.layers.batchNormalization({ name: 'hidden_bn' }).apply(hidden);
    const code = tfl.layers.reLU({ name: 'code' }).apply(normalized) as tfl.SymbolicTensor;
    const logits = tfl.layers.dense({ units: options.numClasses, kernelInitializer: init(), name: 'logits' }).apply(code) as tfl.SymbolicTensor;
    const decoded = tfl.layers
      .dense({ units: h * w * c, activation: 'sigmoid', kernelInitializer: init(), name: 'decoder' })
      .apply(code) as tfl.SymbolicTensor;
    const reconstruction = tfl.layers.reshape({ targetShape: [h, w, c] }).apply(decoded) as tfl.SymbolicTensor;
    this.full = tfl.model({ inputs: input, outputs: [logits, reconstruction] });
    this.classifier = tfl.model({ inputs: input, outputs: logits });
  }

  classify(x: tf.Tensor4D): tf.Tensor2D {
    return this.classifier.apply(x) as tf.Tensor2D;
  }

  lossTerms(x: tf.Tensor4D, y: tf.Tensor1D, weights: LossWeights = {}, options?: LossTermsOptions): LossTerms {
    const [logits, reconstruction] = this.full.apply(x, { training: true }) as [tf.Tensor2D, tf.Tensor4D];
    const objective = ddarObjective({ reconstruction: weights.reconstruction ?? 1, smoothness: 0, validateLabels: false });
    const scaled = this.reconstructionFactor === 1 ? reconstruction : (tf.mul(reconstruction, this.reconstructionFactor) as tf.Tensor4D);
    const result = objective({ logits, labels: y, input: options?.reconstructionTarget ?? x, reconstruction: scaled });
    return { total: result.total, terms: { classification: result.terms.classification, reconstruction: result.terms.reconstruction } };
  }

  get trainableWeights(): ModelWeight[] {
    return this.full.trainableWeights;
  }

  get network(): { weights: ModelWeight[] } {
    return this.full;
  }

  save(handler: tf.io.IOHandler | string): Promise<tf.io.SaveResult> {
    return this.full.save(handler);
  }

  dispose(): void {
    this.full.dispose();
  }
}
