import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { appearanceDecoder } from './appearance_decoder.js';
import type { AutoencoderRegModelConfig, LossTerms, LossTermsOptions, LossWeights } from './classifier_model.js';
import { defaultDecoderWidth } from './decoder_plan.js';
import { defaultCodeSizes } from './heads.js';
import { kernelInitializer, SeedSequence } from './initializers.js';
import { LayersClassifier } from './layers_classifier.js';
import type { DDARWeights } from '@ddar/losses';
import { DEFAULT_DDAR_LOSS_WEIGHTS } from './ddar_model.js';
import { computeLossTerms, resolveLossWeights, withTransformedCopies } from './loss_terms.js';
import { loadNetwork } from './model_io.js';
import { imageInput, resolveBackbone, type ModelOptionsBase } from './resolve_backbone.js';
import { assertImageBatch, assertPositiveInteger } from './validate.js';

/** Options of {@link AutoencoderRegModel.create}. */
export interface AutoencoderRegModelOptions extends ModelOptionsBase {
  /** Size of the single code. Default dA + dG of the DDAR defaults (72 for one channel, 192 otherwise), so both models get the same capacity. */
  codeSize?: number;
  /** Channels of the decoder's first feature map. Default 32 for one-channel inputs, 64 otherwise. */
  decoderWidth?: number;
}

/**
 * The ablation: one code read by both the classifier and a plain decoder that reconstructs the input
 * directly (no template, no warp), trained with cross-entropy plus reconstruction. It isolates what
 * the disentangling adds on top of autoencoding regularization itself.
 */
export class AutoencoderRegModel extends LayersClassifier<AutoencoderRegModelConfig> {
  private readonly encoder: tfl.LayersModel;

  private constructor(network: tfl.LayersModel, config: AutoencoderRegModelConfig) {
    super(network, config);
    this.encoder = tfl.model({
      inputs: network.inputs,
      outputs: network.getLayer(config.layers.code).output as tfl.SymbolicTensor,
      name: `${network.name}_encoder`,
    });
  }

  /** Builds a new, randomly initialized (seeded when `options.seed` is set) autoencoder-regularized model. */
  static create(options: AutoencoderRegModelOptions): AutoencoderRegModel {
    const op = 'AutoencoderRegModel.create';
    const { backbone, record } = resolveBackbone(op, options);
    const { inputShape, numClasses } = options;
    const sizes = defaultCodeSizes(inputShape);
    const codeSize = options.codeSize ?? sizes.dA + sizes.dG;
    const decoderWidth = options.decoderWidth ?? defaultDecoderWidth(inputShape);
    assertPositiveInteger(op, 'options.codeSize', codeSize);
    const seeds = new SeedSequence(options.seed === undefined ? undefined : options.seed + 1);

    const input = imageInput(inputShape);
    const code = tfl.layers
      .dense({ units: codeSize, name: 'code', kernelInitializer: kernelInitializer(seeds.take()) })
      .apply(backbone.apply(input)) as tfl.SymbolicTensor;
    const logits = tfl.layers
      .dense({ units: numClasses, name: 'logits', kernelInitializer: kernelInitializer(seeds.take()) })
      .apply(code) as tfl.SymbolicTensor;
    const decoder = appearanceDecoder({ outputShape: inputShape, width: decoderWidth, name: 'decoder', seed: seeds.take() });
    const network = tfl.model({
      inputs: input,
      outputs: [logits, decoder.applySymbolic(code)],
      name: options.name ?? 'ae_reg',
    });
    return new AutoencoderRegModel(network, {
      format: 'ddar-ts',
      formatVersion: 1,
      kind: 'aeReg',
      inputShape: [...inputShape],
      numClasses,
      backbone: record,
      codeSize,
      decoderWidth,
      layers: { logits: 'logits', code: 'code', decoder: decoder.names },
    });
  }

  /** Loads a model saved by {@link AutoencoderRegModel.save}, from an IOHandler or a URL such as `file://dir/model.json`. */
  static async load(source: string | tf.io.IOHandler): Promise<AutoencoderRegModel> {
    const { network, config } = await loadNetwork('AutoencoderRegModel.load', source, 'aeReg');
    return new AutoencoderRegModel(network, config as AutoencoderRegModelConfig);
  }

  /** @internal Wraps a network loaded by `loadClassifierModel`. */
  static fromNetwork(network: tfl.LayersModel, config: AutoencoderRegModelConfig): AutoencoderRegModel {
    return new AutoencoderRegModel(network, config);
  }

  /** Names the class in error messages. */
  protected get className(): string {
    return 'AutoencoderRegModel';
  }

  /** The single code [N, codeSize] of images, in inference mode. */
  encode(images: tf.Tensor4D): tf.Tensor2D {
    this.assertUsable('encode');
    assertImageBatch('AutoencoderRegModel.encode', 'images', images, this.inputShape);
    return this.encoder.apply(images, { training: false }) as tf.Tensor2D;
  }

  /** The reconstruction [N, H, W, C] of images, in inference mode. */
  reconstruct(images: tf.Tensor4D): tf.Tensor4D {
    this.assertUsable('reconstruct');
    assertImageBatch('AutoencoderRegModel.reconstruct', 'images', images, this.inputShape);
    return tf.tidy(() => (this.network.apply(images, { training: false }) as tf.Tensor[])[1] as tf.Tensor4D);
  }

  /**
   * The weights `lossTerms` uses: classification 1 and reconstruction at the DDAR default, so that the
   * ablation differs from DDAR in the disentangling alone; the warp terms are always 0.
   */
  lossWeights(weights: LossWeights = {}): DDARWeights {
    return resolveLossWeights(
      { classification: 1, reconstruction: DEFAULT_DDAR_LOSS_WEIGHTS.reconstruction, smoothness: 0 },
      weights,
      { smoothness: 0, magnitude: 0, biasReduction: 0 },
    );
  }

  /**
   * `classification * CE + reconstruction * rec(target, decoder(code))` in training mode (defaults in
   * {@link lossWeights}), the target being the images unless `options.reconstructionTarget` says otherwise;
   * smoothness and magnitude are ignored (there is no displacement field).
   */
  lossTerms(images: tf.Tensor4D, labels: tf.Tensor1D, weights: LossWeights = {}, options: LossTermsOptions = {}): LossTerms {
    const target = this.lossInputs(images, labels, options);
    return computeLossTerms(
      this.lossWeights(weights),
      () => {
        // Augmented: the transformed copies are classified and reconstructed like the images themselves.
        const batch = withTransformedCopies(images, labels, options.transformedImages);
        const [logits, reconstruction] = this.network.apply(batch.images, { training: true }) as tf.Tensor[];
        return {
          logits: logits as tf.Tensor2D,
          labels: batch.labels,
          input: options.transformedImages === undefined ? target : batch.images,
          reconstruction: reconstruction as tf.Tensor4D,
        };
      },
      options.returnLogits,
      images.shape[0],
    );
  }
}
