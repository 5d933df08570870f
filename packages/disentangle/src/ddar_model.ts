import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { appearanceDecoder } from './appearance_decoder.js';
import type { DDARModelConfig, LossTerms, LossTermsOptions, LossWeights } from './classifier_model.js';
import { defaultDecoderWidth } from './decoder_plan.js';
import { geometricDecoder } from './geometric_decoder.js';
import { appearanceHead, defaultCodeSizes, geometricHead } from './heads.js';
import { kernelInitializer, SeedSequence } from './initializers.js';
import { LayerChain } from './layer_chain.js';
import { LayersClassifier } from './layers_classifier.js';
import { computeLossTerms, resolveLossWeights } from './loss_terms.js';
import { loadNetwork } from './model_io.js';
import { imageInput, resolveBackbone, type ModelOptionsBase } from './resolve_backbone.js';
import { assertCodeBatch, assertImageBatch, assertImageShape, assertPositiveInteger, assertPositiveNumber } from './validate.js';
import { warp, type DisplacementUnits, type WarpBorder } from './warp.js';

/** Options of {@link DDARModel.create}; the code sizes, widths and displacement bound default by input shape. */
export interface DDARModelOptions extends ModelOptionsBase {
  /** Appearance code size. Default 64 for one-channel inputs, 128 otherwise. */
  dA?: number;
  /** Geometric code size. Default 16 for one-channel inputs, 32 otherwise. */
  dG?: number;
  /** Channels of the decoders' first feature map. Default 32 for one-channel inputs, 64 otherwise. */
  decoderWidth?: number;
  /** Bound on each displacement component, in `displacementUnits`. Default: 1/8 of the smaller image side, in pixels. */
  maxDisplacement?: number;
  /** Default `pixels`. */
  displacementUnits?: DisplacementUnits;
  /** How the warp reads outside the template. Default `zeros`. */
  border?: WarpBorder;
  /** Decode the field at low resolution and upsample it bilinearly. Default true. */
  lowResolutionField?: boolean;
}

/** Appearance and geometric codes of a batch. */
export interface DDARCodes {
  /** The appearance code z_a [N, dA], which the classifier reads. */
  appearance: tf.Tensor2D;
  /** The geometric code z_g [N, dG], decoded into the displacement field. */
  geometric: tf.Tensor2D;
}

/** What the decoders make of a pair of codes. */
export interface DDARDecoding {
  /** The appearance decoder's template [N, H, W, C], in (0, 1). */
  template: tf.Tensor4D;
  /** The geometric decoder's displacement field [N, H, W, 2] (dx, dy), in the model's units. */
  displacement: tf.Tensor4D;
  /** The template warped by the field: the model's reconstruction of the input. */
  reconstruction: tf.Tensor4D;
}

/**
 * The DDAR defaults: cross-entropy plus reconstruction at equal weight, a light total-variation penalty
 * (the field is already smooth by construction, the penalty discourages wasted motion) and a light
 * magnitude penalty. Without the last, MNIST training (smallCnn at width 0.5, one epoch) drove the
 * field to its tanh bound everywhere, the same for every image: saturated, it has no gradient, so the
 * geometric code stopped mattering (swapping it changed the reconstruction by 3e-7 on average). With
 * magnitude 0.01 the field stays around 0.2 px, differs between images, and swaps change the
 * reconstruction (by 0.019 on average) at a lower reconstruction error.
 */
export const DEFAULT_DDAR_LOSS_WEIGHTS = {
  /** Weight of the cross-entropy term. */
  classification: 1,
  /** lambdaRec: weight of the reconstruction term. */
  reconstruction: 1,
  /** lambdaSmooth: weight of the total variation of the displacement field. */
  smoothness: 0.01,
  /** lambdaMag: weight of the mean squared displacement; keeps the bounded field out of saturation. */
  magnitude: 0.01,
} as const;

const LAYER_NAMES = {
  logits: 'logits',
  appearanceCode: 'appearance_code',
  geometricCode: 'geometric_code',
  appearanceDecoder: 'appearance_decoder',
  geometricDecoder: 'geometric_decoder',
} as const;

/**
 * Disentangled Deep Autoencoding Regularization (Duan et al., arXiv 1902.11134): a backbone feeds an
 * appearance code, read by the classifier and decoded into a template, and a geometric code, decoded
 * into a displacement field; the template warped by the field reconstructs the input.
 *
 * One functional `tf.LayersModel` (`network`) holds every weight and outputs
 * `[logits, template, displacement]`; the warp runs outside it, in tfjs ops, so the network uses
 * built-in layers only and saves in the standard tfjs format.
 */
export class DDARModel extends LayersClassifier<DDARModelConfig> {
  private readonly encoder: tfl.LayersModel;
  private readonly appearanceDecoder: LayerChain;
  private readonly geometricDecoder: LayerChain;

  private constructor(network: tfl.LayersModel, config: DDARModelConfig) {
    super(network, config);
    const { layers } = config;
    this.encoder = tfl.model({
      inputs: network.inputs,
      outputs: [
        network.getLayer(layers.appearanceCode).output as tfl.SymbolicTensor,
        network.getLayer(layers.geometricCode).output as tfl.SymbolicTensor,
      ],
      name: `${network.name}_encoder`,
    });
    this.appearanceDecoder = new LayerChain(layers.appearanceDecoder.map((name) => network.getLayer(name)));
    this.geometricDecoder = new LayerChain(layers.geometricDecoder.map((name) => network.getLayer(name)));
  }

  /** Builds a new, randomly initialized (seeded when `options.seed` is set) DDAR model. */
  static create(options: DDARModelOptions): DDARModel {
    const op = 'DDARModel.create';
    // Everything that can be checked is checked before any layer is built.
    if (options == null || typeof options !== 'object') {
      throw new Error(`Error in ${op}: options must be an object, but got ${String(options)}`);
    }
    assertImageShape(op, 'options.inputShape', options.inputShape);
    const { inputShape } = options;
    const defaults = defaultCodeSizes(inputShape);
    const dA = options.dA ?? defaults.dA;
    const dG = options.dG ?? defaults.dG;
    const decoderWidth = options.decoderWidth ?? defaultDecoderWidth(inputShape);
    const displacementUnits = options.displacementUnits ?? 'pixels';
    const border = options.border ?? 'zeros';
    const lowResolutionField = options.lowResolutionField ?? true;
    assertPositiveInteger(op, 'options.dA', dA);
    assertPositiveInteger(op, 'options.dG', dG);
    assertPositiveInteger(op, 'options.decoderWidth', decoderWidth);
    if (!['pixels', 'normalized'].includes(displacementUnits)) {
      throw new Error(`Error in ${op}: options.displacementUnits must be one of pixels, normalized, but got '${displacementUnits}'`);
    }
    if (!['zeros', 'clamp'].includes(border)) {
      throw new Error(`Error in ${op}: options.border must be one of zeros, clamp, but got '${border}'`);
    }
    const maxDisplacement =
      options.maxDisplacement ?? (displacementUnits === 'pixels' ? Math.min(inputShape[0], inputShape[1]) / 8 : 0.25);
    assertPositiveNumber(op, 'options.maxDisplacement', maxDisplacement);
    const { backbone, record } = resolveBackbone(op, options);
    const { numClasses } = options;
    const seeds = new SeedSequence(options.seed === undefined ? undefined : options.seed + 1);

    const input = imageInput(inputShape);
    const embedding = backbone.apply(input);
    const appearance = appearanceHead({ size: dA, name: LAYER_NAMES.appearanceCode, seed: seeds.take() }).apply(
      embedding,
    ) as tfl.SymbolicTensor;
    const geometric = geometricHead({ size: dG, name: LAYER_NAMES.geometricCode, seed: seeds.take() }).apply(
      embedding,
    ) as tfl.SymbolicTensor;
    const logits = tfl.layers
      .dense({ units: numClasses, name: LAYER_NAMES.logits, kernelInitializer: kernelInitializer(seeds.take()) })
      .apply(appearance) as tfl.SymbolicTensor;
    const templateDecoder = appearanceDecoder({
      outputShape: inputShape,
      width: decoderWidth,
      name: LAYER_NAMES.appearanceDecoder,
      seed: seeds.take(),
    });
    const fieldDecoder = geometricDecoder({
      outputShape: inputShape,
      width: decoderWidth,
      maxDisplacement,
      lowResolution: lowResolutionField,
      name: LAYER_NAMES.geometricDecoder,
      seed: seeds.take(),
    });
    const network = tfl.model({
      inputs: input,
      outputs: [logits, templateDecoder.applySymbolic(appearance), fieldDecoder.applySymbolic(geometric)],
      name: options.name ?? 'ddar',
    });
    return new DDARModel(network, {
      format: 'ddar-ts',
      formatVersion: 1,
      kind: 'ddar',
      inputShape: [...inputShape],
      numClasses,
      backbone: record,
      dA,
      dG,
      decoderWidth,
      maxDisplacement,
      displacementUnits,
      border,
      lowResolutionField,
      layers: {
        logits: LAYER_NAMES.logits,
        appearanceCode: LAYER_NAMES.appearanceCode,
        geometricCode: LAYER_NAMES.geometricCode,
        appearanceDecoder: templateDecoder.names,
        geometricDecoder: fieldDecoder.names,
      },
    });
  }

  /** Loads a model saved by {@link DDARModel.save}, from an IOHandler or a URL such as `file://dir/model.json`. */
  static async load(source: string | tf.io.IOHandler): Promise<DDARModel> {
    const { network, config } = await loadNetwork('DDARModel.load', source, 'ddar');
    return new DDARModel(network, config as DDARModelConfig);
  }

  /** @internal Wraps a network loaded by `loadClassifierModel`. */
  static fromNetwork(network: tfl.LayersModel, config: DDARModelConfig): DDARModel {
    return new DDARModel(network, config);
  }

  /** Names the class in error messages. */
  protected get className(): string {
    return 'DDARModel';
  }

  /** Appearance and geometric codes of images [N, H, W, C], in inference mode. */
  encode(images: tf.Tensor4D): DDARCodes {
    this.assertUsable('encode');
    assertImageBatch('DDARModel.encode', 'images', images, this.inputShape);
    const [appearance, geometric] = this.encoder.apply(images, { training: false }) as tf.Tensor2D[];
    return { appearance, geometric };
  }

  /** Template, displacement field and their warp for a pair of codes (which may come from different images). */
  decode(codes: DDARCodes): DDARDecoding {
    this.assertUsable('decode');
    const op = 'DDARModel.decode';
    if (codes == null || typeof codes !== 'object') {
      throw new Error(`Error in ${op}: codes must be an object { appearance, geometric }, but got ${String(codes)}`);
    }
    assertCodeBatch(op, 'codes.appearance', codes.appearance, this.config.dA);
    assertCodeBatch(op, 'codes.geometric', codes.geometric, this.config.dG);
    if (codes.appearance.shape[0] !== codes.geometric.shape[0]) {
      throw new Error(
        `Error in ${op}: codes.appearance [${codes.appearance.shape}] and codes.geometric [${codes.geometric.shape}] must have the same batch size`,
      );
    }
    const template = this.appearanceDecoder.run(codes.appearance) as tf.Tensor4D;
    const displacement = this.geometricDecoder.run(codes.geometric) as tf.Tensor4D;
    return { template, displacement, reconstruction: this.warp(template, displacement) };
  }

  /** Runs the whole network on images: codes are not returned, only what the decoders make of them. */
  reconstruct(images: tf.Tensor4D): DDARDecoding & { logits: tf.Tensor2D } {
    this.assertUsable('reconstruct');
    assertImageBatch('DDARModel.reconstruct', 'images', images, this.inputShape);
    const [logits, template, displacement] = this.network.apply(images, { training: false }) as tf.Tensor[];
    return {
      logits: logits as tf.Tensor2D,
      template: template as tf.Tensor4D,
      displacement: displacement as tf.Tensor4D,
      reconstruction: this.warp(template as tf.Tensor4D, displacement as tf.Tensor4D),
    };
  }

  /**
   * `classification * CE + reconstruction * rec(target, warp(T, D)) + smoothness * TV(D) + magnitude * |D|^2`,
   * the target being the images unless `options.reconstructionTarget` says otherwise;
   * defaults in {@link DEFAULT_DDAR_LOSS_WEIGHTS}, computed in training mode.
   */
  lossTerms(images: tf.Tensor4D, labels: tf.Tensor1D, weights: LossWeights = {}, options: LossTermsOptions = {}): LossTerms {
    const target = this.lossInputs(images, labels, options);
    return computeLossTerms(resolveLossWeights(DEFAULT_DDAR_LOSS_WEIGHTS, weights), () => {
      const [logits, template, displacement] = this.network.apply(images, { training: true }) as tf.Tensor[];
      return {
        logits: logits as tf.Tensor2D,
        labels,
        input: target,
        reconstruction: this.warp(template as tf.Tensor4D, displacement as tf.Tensor4D),
        displacement: displacement as tf.Tensor4D,
      };
    }, options.returnLogits);
  }

  private warp(template: tf.Tensor4D, displacement: tf.Tensor4D): tf.Tensor4D {
    return warp(template, displacement, { border: this.config.border, units: this.config.displacementUnits });
  }
}
