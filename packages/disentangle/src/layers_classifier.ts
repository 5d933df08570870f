import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageShape } from '@ddar/backbones';
import type { DDARWeights } from '@ddar/losses';
import type { ClassifierModel, LossTerms, LossTermsOptions, LossWeights, ModelConfig, ModelKind } from './classifier_model.js';
import { saveNetwork } from './model_io.js';
import { assertImageBatch, assertLabels } from './validate.js';

/**
 * What the three compared models share: one functional network holding every weight, an inference
 * view of it that stops at the logits, saving with the configuration, and disposal.
 */
export abstract class LayersClassifier<Config extends ModelConfig> implements ClassifierModel {
  /** Backbone -> (code) -> logits only; shares the network's layers, so it owns no weights. */
  protected readonly inference: tfl.LayersModel;
  private disposed = false;

  protected constructor(
    /** The whole trainable network, one functional tfjs-layers model holding every weight. */
    readonly network: tfl.LayersModel,
    /** The recorded configuration, also stored in the saved model.json. */
    readonly config: Config,
  ) {
    this.inference = tfl.model({
      inputs: network.inputs,
      outputs: network.getLayer(config.layers.logits).output as tfl.SymbolicTensor,
      name: `${network.name}_inference`,
    });
  }

  /** Which of the compared architectures this is, from the configuration. */
  get kind(): ModelKind {
    return this.config.kind;
  }

  /** [H, W, C] of one input image. */
  get inputShape(): ImageShape {
    return this.config.inputShape;
  }

  /** Number of classes, the width of the logits. */
  get numClasses(): number {
    return this.config.numClasses;
  }

  get trainableWeights(): tf.Variable[] {
    this.assertUsable('trainableWeights');
    return this.network.trainableWeights.map((weight) => weight.read() as tf.Variable);
  }

  classify(images: tf.Tensor4D): tf.Tensor2D {
    this.assertUsable('classify');
    assertImageBatch(`${this.className}.classify`, 'images', images, this.inputShape);
    return this.inference.apply(images, { training: false }) as tf.Tensor2D;
  }

  /**
   * The variables of the backbone alone: every trainable weight but those of the layers the
   * configuration names (classifier, code heads, decoders).
   */
  get backboneWeights(): tf.Variable[] {
    this.assertUsable('backboneWeights');
    const own = new Set(Object.values(this.config.layers).flat() as string[]);
    return this.network.layers
      .filter((layer) => !own.has(layer.name))
      .flatMap((layer) => layer.trainableWeights.map((weight) => weight.read() as tf.Variable));
  }

  abstract lossWeights(weights?: LossWeights): DDARWeights;

  abstract lossTerms(images: tf.Tensor4D, labels: tf.Tensor1D, weights?: LossWeights, options?: LossTermsOptions): LossTerms;

  async save(destination: string | tf.io.IOHandler): Promise<tf.io.SaveResult> {
    this.assertUsable('save');
    return saveNetwork(`${this.className}.save`, this.network, this.config, destination);
  }

  dispose(): void {
    this.assertUsable('dispose');
    // Only the network: the inference view (and any other view) shares its layers, and disposing a
    // view would release the same weights a second time.
    this.network.dispose();
    this.disposed = true;
  }

  protected abstract get className(): string;

  /** Validates the arguments of `lossTerms` and returns the reconstruction target. */
  protected lossInputs(images: tf.Tensor4D, labels: tf.Tensor1D, options: LossTermsOptions): tf.Tensor4D {
    const target = this.reconstructionTarget(images, labels, options);
    const transformed = options.transformedImages;
    if (transformed !== undefined) {
      const op = `${this.className}.lossTerms`;
      assertImageBatch(op, 'options.transformedImages', transformed, this.inputShape);
      if (transformed.shape[0] !== images.shape[0]) {
        throw new Error(`Error in ${op}: options.transformedImages [${transformed.shape}] must have the shape of images [${images.shape}]`);
      }
      if (options.reconstructionTarget !== undefined) {
        throw new Error(`Error in ${op}: options.transformedImages and options.reconstructionTarget cannot be combined`);
      }
    }
    return target;
  }

  private reconstructionTarget(images: tf.Tensor4D, labels: tf.Tensor1D, options: LossTermsOptions): tf.Tensor4D {
    this.assertUsable('lossTerms');
    const op = `${this.className}.lossTerms`;
    assertImageBatch(op, 'images', images, this.inputShape);
    assertLabels(op, 'labels', labels, images.shape[0]);
    if (options == null || typeof options !== 'object') {
      throw new Error(`Error in ${op}: options must be an object, but got ${String(options)}`);
    }
    if (options.returnLogits !== undefined && typeof options.returnLogits !== 'boolean') {
      throw new Error(`Error in ${op}: options.returnLogits must be a boolean, but got ${String(options.returnLogits)}`);
    }
    const target = options.reconstructionTarget ?? images;
    assertImageBatch(op, 'options.reconstructionTarget', target, this.inputShape);
    if (target.shape[0] !== images.shape[0]) {
      throw new Error(
        `Error in ${op}: options.reconstructionTarget [${target.shape}] must have the shape of images [${images.shape}]`,
      );
    }
    return target;
  }

  /** Throws, naming `method`, once the model has been disposed. */
  protected assertUsable(method: string): void {
    if (this.disposed) {
      throw new Error(`Error in ${this.className}.${method}: the model has been disposed`);
    }
  }
}
