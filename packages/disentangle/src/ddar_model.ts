import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { appearanceDecoder } from './appearance_decoder.js';
import type { DDARModelConfig, LossTerms, LossTermsOptions, LossWeights } from './classifier_model.js';
import { defaultDecoderWidth } from './decoder_plan.js';
import { affineDecoder, geometricDecoder, warpIncrementDecoder } from './geometric_decoder.js';
import { appearanceHead, defaultCodeSizes, GEOMETRY_KINDS, geometricHead, type GeometryKind } from './heads.js';
import { affineResidual, integralAffineDisplacement, warpIncrements } from './integral_warp.js';
import { kernelInitializer, SeedSequence } from './initializers.js';
import { LayerChain } from './layer_chain.js';
import { LayersClassifier } from './layers_classifier.js';
import type { DDARWeights } from '@ddar/losses';
import { computeLossTerms, resolveLossWeights, withTransformedCopies } from './loss_terms.js';
import { loadNetwork } from './model_io.js';
import { imageInput, resolveBackbone, type ModelOptionsBase } from './resolve_backbone.js';
import { assertCodeBatch, assertImageBatch, assertImageShape, assertPositiveInteger, assertPositiveNumber } from './validate.js';
import { warp, type DisplacementUnits, type WarpBorder } from './warp.js';

/** Options of {@link DDARModel.create}; the code sizes, widths and displacement bound default by input shape. */
export interface DDARModelOptions extends ModelOptionsBase {
  /**
   * How the geometric code becomes a warp. `integral` (default): a global affine transform composed
   * with a local integral warp whose grid cannot reverse the order of neighbouring samples (see
   * `integralAffineDisplacement`). `displacement`: the first version's displacement field bounded by
   * `maxDisplacement * tanh`, kept for the ablation.
   */
  geometry?: GeometryKind;
  /** Appearance code size. Default by geometry and input shape, see `defaultCodeSizes` (8 for MNIST). */
  dA?: number;
  /** Geometric code size. Default by geometry and input shape, see `defaultCodeSizes` (64 for MNIST). */
  dG?: number;
  /** Channels of the decoders' first feature map. Default 32 for one-channel inputs, 64 otherwise. */
  decoderWidth?: number;
  /** `displacement` geometry only: bound on each displacement component, in `displacementUnits`. Default: 1/8 of the smaller image side, in pixels. */
  maxDisplacement?: number;
  /** `displacement` geometry only: the units of the decoded field. Default `pixels`. */
  displacementUnits?: DisplacementUnits;
  /** How the warp reads outside the template. Default `zeros`. */
  border?: WarpBorder;
  /** Decode the field (or the grid increments) at low resolution and upsample it bilinearly. Default true. */
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
  /** The whole warp as a displacement field [N, H, W, 2] (dx, dy), in the model's units (pixels for `integral`). */
  displacement: tf.Tensor4D;
  /** The template warped by the field: the model's reconstruction of the input. */
  reconstruction: tf.Tensor4D;
  /** `integral` geometry: the local warp's grid increments [N, H, W, 2], 1 for the identity. */
  warpIncrements?: tf.Tensor4D;
  /** `integral` geometry: the global affine residual [N, 6], 0 for the identity. */
  affineResidual?: tf.Tensor2D;
}

/**
 * The DDAR defaults, for the `integral` geometry. Cross-entropy at 1; reconstruction at 10, so that the
 * per-pixel mean squared error (about 0.01-0.03 on MNIST) pulls on the backbone with the same order of
 * gradient as the cross-entropy (in the MNIST acceptance run, 0.19-0.31 against 0.19-0.91 per batch; the
 * first version's weight of 1 gave 0.02-0.03); total
 * variation of the grid increments at 1, which keeps the local warp from redrawing a digit's identity
 * (code swaps then keep the class more often); bias reduction of the mean warp, which keeps the template
 * canonical while each image's warp stays free; no per-image magnitude penalty, which would pull every
 * warp to the identity and leave the pose to the template. The values were chosen by the experiment in
 * docs/results/disentanglement.md.
 */
export const DEFAULT_DDAR_LOSS_WEIGHTS = {
  /** Weight of the cross-entropy term. */
  classification: 1,
  /** lambdaRec: weight of the reconstruction term. */
  reconstruction: 10,
  /** lambdaSmooth: weight of the total variation of the local warp's grid increments. */
  smoothness: 1,
  /** lambdaMag: weight of the mean squared displacement. */
  magnitude: 0,
  /** Weight of the bias reduction of the mean affine residual and the mean grid increments. */
  biasReduction: 1,
} as const;

/**
 * The defaults of the `displacement` geometry (the first version, kept for the ablation). Without the
 * magnitude penalty, MNIST training (smallCnn at width 0.5, one epoch) drove the field to its tanh
 * bound everywhere, the same for every image: saturated, it has no gradient, so the geometric code
 * stopped mattering. With magnitude 0.01 the field stays around 0.2 px and differs between images.
 */
export const DISPLACEMENT_DDAR_LOSS_WEIGHTS = {
  classification: 1,
  reconstruction: 1,
  smoothness: 0.01,
  magnitude: 0.01,
  biasReduction: 0,
} as const;

const LAYER_NAMES = {
  logits: 'logits',
  appearanceCode: 'appearance_code',
  geometricCode: 'geometric_code',
  appearanceDecoder: 'appearance_decoder',
  geometricDecoder: 'geometric_decoder',
  affineDecoder: 'affine_decoder',
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
  private readonly affineDecoder: LayerChain | null;
  private appearanceCodeView: tfl.LayersModel | undefined;

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
    this.affineDecoder =
      layers.affineDecoder === undefined ? null : new LayerChain(layers.affineDecoder.map((name) => network.getLayer(name)));
  }

  /** How the geometric code is decoded (`displacement` for models saved before the choice existed). */
  get geometry(): GeometryKind {
    return this.config.geometry ?? 'displacement';
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
    const geometry = options.geometry ?? 'integral';
    if (!GEOMETRY_KINDS.includes(geometry)) {
      throw new Error(`Error in ${op}: options.geometry must be one of ${GEOMETRY_KINDS.join(', ')}, but got '${String(geometry)}'`);
    }
    const defaults = defaultCodeSizes(inputShape, geometry);
    const dA = options.dA ?? defaults.dA;
    const dG = options.dG ?? defaults.dG;
    const decoderWidth = options.decoderWidth ?? defaultDecoderWidth(inputShape);
    if (geometry === 'integral' && (options.maxDisplacement !== undefined || options.displacementUnits !== undefined)) {
      throw new Error(
        `Error in ${op}: options.maxDisplacement and options.displacementUnits belong to the 'displacement' geometry; ` +
          `the 'integral' geometry has no bound and works in pixels`,
      );
    }
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
    if (geometry === 'displacement') assertPositiveNumber(op, 'options.maxDisplacement', maxDisplacement);
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
    const fieldOptions = {
      outputShape: inputShape,
      width: decoderWidth,
      lowResolution: lowResolutionField,
      name: LAYER_NAMES.geometricDecoder,
      seed: seeds.take(),
    };
    const fieldDecoder =
      geometry === 'integral' ? warpIncrementDecoder(fieldOptions) : geometricDecoder({ ...fieldOptions, maxDisplacement });
    const affine = geometry === 'integral' ? affineDecoder({ name: LAYER_NAMES.affineDecoder }) : null;
    const outputs = [logits, templateDecoder.applySymbolic(appearance), fieldDecoder.applySymbolic(geometric)];
    if (affine !== null) outputs.push(affine.applySymbolic(geometric));
    const network = tfl.model({ inputs: input, outputs, name: options.name ?? 'ddar' });
    const geometryConfig =
      geometry === 'integral'
        ? { geometry, displacementUnits: 'pixels' as const }
        : { geometry, maxDisplacement, displacementUnits };
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
      ...geometryConfig,
      border,
      lowResolutionField,
      layers: {
        logits: LAYER_NAMES.logits,
        appearanceCode: LAYER_NAMES.appearanceCode,
        geometricCode: LAYER_NAMES.geometricCode,
        appearanceDecoder: templateDecoder.names,
        geometricDecoder: fieldDecoder.names,
        ...(affine === null ? {} : { affineDecoder: affine.names }),
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
    return keptInTidy(() => {
      const template = this.appearanceDecoder.run(codes.appearance) as tf.Tensor4D;
      const field = this.geometricDecoder.run(codes.geometric) as tf.Tensor4D;
      const affine = this.affineDecoder === null ? undefined : (this.affineDecoder.run(codes.geometric) as tf.Tensor2D);
      return this.decoding(template, field, affine);
    });
  }

  /** Runs the whole network on images: codes are not returned, only what the decoders make of them. */
  reconstruct(images: tf.Tensor4D): DDARDecoding & { logits: tf.Tensor2D } {
    this.assertUsable('reconstruct');
    assertImageBatch('DDARModel.reconstruct', 'images', images, this.inputShape);
    return keptInTidy(() => {
      const [logits, template, field, affine] = this.network.apply(images, { training: false }) as tf.Tensor[];
      return { logits: logits as tf.Tensor2D, ...this.decoding(template as tf.Tensor4D, field as tf.Tensor4D, affine as tf.Tensor2D) };
    });
  }

  /**
   * The weights `lossTerms` uses: `weights` over the defaults of the model's geometry,
   * {@link DEFAULT_DDAR_LOSS_WEIGHTS} (`integral`) or {@link DISPLACEMENT_DDAR_LOSS_WEIGHTS}; the
   * `displacement` geometry has nothing for bias reduction to act on, so that weight is 0 there.
   */
  lossWeights(weights: LossWeights = {}): DDARWeights {
    return this.geometry === 'integral'
      ? resolveLossWeights(DEFAULT_DDAR_LOSS_WEIGHTS, weights)
      : resolveLossWeights(DISPLACEMENT_DDAR_LOSS_WEIGHTS, weights, { biasReduction: 0 });
  }

  /**
   * `classification * CE + reconstruction * rec(target, warp(T, D)) + smoothness * TV(local warp)
   * + magnitude * |D|^2 + biasReduction * (mean warp - identity)^2`, the target being the images unless
   * `options.reconstructionTarget` says otherwise; defaults in {@link DEFAULT_DDAR_LOSS_WEIGHTS}
   * (`integral`) or {@link DISPLACEMENT_DDAR_LOSS_WEIGHTS}, computed in training mode.
   */
  lossTerms(images: tf.Tensor4D, labels: tf.Tensor1D, weights: LossWeights = {}, options: LossTermsOptions = {}): LossTerms {
    const target = this.lossInputs(images, labels, options);
    if (options.transformedImages !== undefined) {
      return this.consistencyLossTerms(images, labels, options.transformedImages, this.lossWeights(weights), options.returnLogits);
    }
    return computeLossTerms(this.lossWeights(weights), () => {
      const [logits, template, field, affine] = this.network.apply(images, { training: true }) as tf.Tensor[];
      const decoding = this.decoding(template as tf.Tensor4D, field as tf.Tensor4D, affine as tf.Tensor2D | undefined);
      return { logits: logits as tf.Tensor2D, labels, input: target, ...warpTermInputs(decoding) };
    }, options.returnLogits);
  }

  /**
   * The loss with geometric augmentation: one pass over the images x and their transformed copies A x,
   * classification and reconstruction on both, plus the geometric-consistency terms: z_a(A x) close to
   * z_a(x), and A x reconstructed from the template of x in the geometry of A x.
   */
  private consistencyLossTerms(
    images: tf.Tensor4D,
    labels: tf.Tensor1D,
    transformed: tf.Tensor4D,
    weights: DDARWeights,
    returnLogits: boolean | undefined,
  ): LossTerms {
    const n = images.shape[0];
    const firstHalf = <T extends tf.Tensor>(t: T) => tf.slice(t, 0, n) as T;
    const secondHalf = <T extends tf.Tensor>(t: T) => tf.slice(t, n, n) as T;
    return computeLossTerms(
      weights,
      () => {
        const batch = withTransformedCopies(images, labels, transformed);
        const outputs = this.withAppearanceCode.apply(batch.images, { training: true }) as tf.Tensor[];
        const [logits, template, field] = outputs;
        const affine = this.geometry === 'integral' ? (outputs[3] as tf.Tensor2D) : undefined;
        const appearance = outputs[outputs.length - 1] as tf.Tensor2D;
        const decoding = this.decoding(template as tf.Tensor4D, field as tf.Tensor4D, affine);
        const cross = this.decoding(
          firstHalf(template as tf.Tensor4D),
          secondHalf(field as tf.Tensor4D),
          affine === undefined ? undefined : secondHalf(affine),
        );
        return {
          logits: logits as tf.Tensor2D,
          labels: batch.labels,
          input: batch.images,
          ...warpTermInputs(decoding),
          appearanceCodes: { original: firstHalf(appearance), transformed: secondHalf(appearance) },
          crossReconstruction: { target: transformed, prediction: cross.reconstruction },
        };
      },
      returnLogits,
      n,
    );
  }

  /** The network's outputs followed by z_a: the same layers, for the appearance-invariance term. */
  private get withAppearanceCode(): tfl.LayersModel {
    this.appearanceCodeView ??= tfl.model({
      inputs: this.network.inputs,
      outputs: [
        ...(this.network.outputs as tfl.SymbolicTensor[]),
        this.network.getLayer(this.config.layers.appearanceCode).output as tfl.SymbolicTensor,
      ],
      name: `${this.network.name}_with_appearance_code`,
    });
    return this.appearanceCodeView;
  }

  /** The warp and the reconstruction from the decoders' raw outputs (the affine residual only for `integral`). */
  private decoding(template: tf.Tensor4D, field: tf.Tensor4D, affineOutput: tf.Tensor2D | undefined): DDARDecoding {
    if (this.geometry === 'displacement') {
      return { template, displacement: field, reconstruction: this.warp(template, field) };
    }
    const increments = warpIncrements(field);
    const residual = affineResidual(affineOutput as tf.Tensor2D);
    const displacement = integralAffineDisplacement(increments, residual);
    return {
      template,
      displacement,
      reconstruction: this.warp(template, displacement),
      warpIncrements: increments,
      affineResidual: residual,
    };
  }

  private warp(template: tf.Tensor4D, displacement: tf.Tensor4D): tf.Tensor4D {
    return warp(template, displacement, { border: this.config.border, units: this.config.displacementUnits });
  }
}

/** What the objective's warp terms read from a decoding: all of it but the template. */
function warpTermInputs({ reconstruction, displacement, warpIncrements, affineResidual }: DDARDecoding) {
  return { reconstruction, displacement, warpIncrements, affineResidual };
}

/** `tf.tidy` for a function returning an object of tensors (which tidy's types do not accept): the returned tensors survive. */
function keptInTidy<T extends object>(fn: () => T): T {
  return tf.tidy(() => fn() as unknown as tf.TensorContainer) as unknown as T;
}
