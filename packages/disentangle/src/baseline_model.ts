import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BaselineModelConfig, LossTerms, LossTermsOptions, LossWeights } from './classifier_model.js';
import { kernelInitializer } from './initializers.js';
import { LayersClassifier } from './layers_classifier.js';
import type { DDARWeights } from '@ddar/losses';
import { computeLossTerms, resolveLossWeights, withTransformedCopies } from './loss_terms.js';
import { loadNetwork } from './model_io.js';
import { imageInput, resolveBackbone, type ModelOptionsBase } from './resolve_backbone.js';

/** Options of {@link BaselineModel.create}: only the shared ones, as the baseline has no decoder. */
export type BaselineModelOptions = ModelOptionsBase;

/** The comparison point: the same backbone, a linear classifier on its embedding, cross-entropy only. */
export class BaselineModel extends LayersClassifier<BaselineModelConfig> {
  private constructor(network: tfl.LayersModel, config: BaselineModelConfig) {
    super(network, config);
  }

  /** Builds a new, randomly initialized (seeded when `options.seed` is set) baseline model. */
  static create(options: BaselineModelOptions): BaselineModel {
    const { backbone, record } = resolveBackbone('BaselineModel.create', options);
    const input = imageInput(options.inputShape);
    const logits = tfl.layers
      .dense({
        units: options.numClasses,
        name: 'logits',
        kernelInitializer: kernelInitializer(options.seed === undefined ? undefined : options.seed + 1),
      })
      .apply(backbone.apply(input)) as tfl.SymbolicTensor;
    const network = tfl.model({ inputs: input, outputs: logits, name: options.name ?? 'baseline' });
    return new BaselineModel(network, {
      format: 'ddar-ts',
      formatVersion: 1,
      kind: 'baseline',
      inputShape: [...options.inputShape],
      numClasses: options.numClasses,
      backbone: record,
      layers: { logits: 'logits' },
    });
  }

  /** Loads a model saved by {@link BaselineModel.save}, from an IOHandler or a URL such as `file://dir/model.json`. */
  static async load(source: string | tf.io.IOHandler): Promise<BaselineModel> {
    const { network, config } = await loadNetwork('BaselineModel.load', source, 'baseline');
    return new BaselineModel(network, config as BaselineModelConfig);
  }

  /** @internal Wraps a network loaded by `loadClassifierModel`. */
  static fromNetwork(network: tfl.LayersModel, config: BaselineModelConfig): BaselineModel {
    return new BaselineModel(network, config);
  }

  /** Names the class in error messages. */
  protected get className(): string {
    return 'BaselineModel';
  }

  /** The weights `lossTerms` uses: the classification weight (default 1) alone, every other term 0. */
  lossWeights(weights: LossWeights = {}): DDARWeights {
    return resolveLossWeights({ classification: 1, reconstruction: 0, smoothness: 0 }, weights, {
      reconstruction: 0,
      smoothness: 0,
      magnitude: 0,
      biasReduction: 0,
    });
  }

  /**
   * `classification * CE`, in training mode; the other weights and `options.reconstructionTarget` are
   * ignored (there is nothing to reconstruct).
   */
  lossTerms(images: tf.Tensor4D, labels: tf.Tensor1D, weights: LossWeights = {}, options: LossTermsOptions = {}): LossTerms {
    this.lossInputs(images, labels, options);
    return computeLossTerms(
      this.lossWeights(weights),
      () => {
        const batch = withTransformedCopies(images, labels, options.transformedImages);
        return { logits: this.network.apply(batch.images, { training: true }) as tf.Tensor2D, labels: batch.labels };
      },
      options.returnLogits,
      images.shape[0],
    );
  }
}
