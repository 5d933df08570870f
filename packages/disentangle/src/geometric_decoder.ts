import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageShape } from '@ddar/backbones';
import { defaultDecoderWidth, planDecoder, stageChannels } from './decoder_plan.js';
import { kernelInitializer, SeedSequence } from './initializers.js';
import { LayerChain } from './layer_chain.js';
import { AFFINE_PARAMETERS } from './integral_warp.js';
import { assertImageShape, assertPositiveInteger, assertPositiveNumber } from './validate.js';

/** Options of {@link geometricDecoder}; `outputShape`, `maxDisplacement` and `name` are required. */
export interface GeometricDecoderOptions {
  /** [H, W, C] of the images to warp; the field is H x W x 2 whatever C is. */
  outputShape: ImageShape;
  /** Bound on |dx| and |dy|, in the units the field is read in (see `warp`). */
  maxDisplacement: number;
  /**
   * Produce the field on the decoder's small base grid and upsample it bilinearly (default true):
   * the field is then smooth by construction, so it can describe a deformation but not paint
   * appearance detail. With false it is decoded at full resolution like the template.
   */
  lowResolution?: boolean;
  /** Channels of the first feature map. Default 32 for C = 1, 64 otherwise. */
  width?: number;
  /** Upper bound on the number of 2x upsamplings, see {@link planDecoder}. Default 2. */
  maxUpsamplings?: number;
  /** Prefix of the layer names, unique within the model. */
  name: string;
  /** Base seed of the weight initializers, one derived per layer. Default unseeded (not reproducible). */
  seed?: number;
}

/**
 * Decodes a geometric code [N, dG] into a displacement field [N, H, W, 2] (dx, dy), bounded by
 * `maxDisplacement * tanh`. The last convolution starts with small weights so that the initial field
 * is close to the identity warp, yet every layer before it receives a gradient from the first step.
 */
export function geometricDecoder(options: GeometricDecoderOptions): LayerChain {
  const op = 'geometricDecoder';
  const { maxDisplacement, name } = options;
  assertPositiveNumber(op, 'options.maxDisplacement', maxDisplacement);
  return fieldDecoder(op, options, 'tanh', smallWeights, () => [
    tfl.layers.rescaling({ scale: maxDisplacement, name: `${name}_scale` }),
  ]);
}

/** Options of {@link warpIncrementDecoder}: those of {@link geometricDecoder} without the bound. */
export type WarpIncrementDecoderOptions = Omit<GeometricDecoderOptions, 'maxDisplacement'>;

/**
 * Decodes a geometric code [N, dG] into the logits [N, H, W, 2] of an integral warp's grid increments
 * (see `warpIncrements` and `integralAffineDisplacement`): the same network as {@link geometricDecoder}
 * with a linear output. Logits 0 are the identity warp, and the output starts close to 0.
 */
export function warpIncrementDecoder(options: WarpIncrementDecoderOptions): LayerChain {
  return fieldDecoder('warpIncrementDecoder', options, 'linear', smallWeights, () => []);
}

/**
 * dense + ReLU -> reshape to the base grid -> convolutions (at the base grid, or upsampling to full size)
 * -> a 2-channel convolution with `activation` and small initial weights -> `outputLayers` -> (at low
 * resolution) a bilinear upsampling to full size.
 */
function fieldDecoder(
  op: string,
  options: WarpIncrementDecoderOptions,
  activation: 'tanh' | 'linear',
  outputInitializer: (seed: number | undefined) => ReturnType<typeof tfl.initializers.zeros>,
  outputLayers: () => tfl.layers.Layer[],
): LayerChain {
  assertImageShape(op, 'options.outputShape', options.outputShape);
  const { name } = options;
  const width = options.width ?? defaultDecoderWidth(options.outputShape);
  assertPositiveInteger(op, 'options.width', width);
  const lowResolution = options.lowResolution ?? true;
  const { baseHeight, baseWidth, upsamplings } = planDecoder(options.outputShape, options.maxUpsamplings);
  const seeds = new SeedSequence(options.seed);

  const layers: tfl.layers.Layer[] = [
    tfl.layers.dense({
      units: baseHeight * baseWidth * width,
      activation: 'relu',
      name: `${name}_dense`,
      kernelInitializer: kernelInitializer(seeds.take()),
    }),
    tfl.layers.reshape({ targetShape: [baseHeight, baseWidth, width], name: `${name}_reshape` }),
  ];
  const convolution = (filters: number, suffix: string) =>
    tfl.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: `${name}_${suffix}`,
      kernelInitializer: kernelInitializer(seeds.take()),
    });
  if (lowResolution) {
    layers.push(convolution(width, 'conv'));
  } else {
    // As in the appearance decoder, no hidden convolution at full resolution.
    for (let stage = 1; stage <= upsamplings; stage++) {
      layers.push(tfl.layers.upSampling2d({ size: [2, 2], name: `${name}_upsample${stage}` }));
      if (stage < upsamplings) layers.push(convolution(stageChannels(width, stage), `conv${stage}`));
    }
  }
  layers.push(
    tfl.layers.conv2d({
      filters: 2,
      kernelSize: 3,
      padding: 'same',
      activation,
      name: `${name}_field`,
      kernelInitializer: outputInitializer(seeds.take()),
    }),
    ...outputLayers(),
  );
  if (lowResolution && upsamplings > 0) {
    const factor = 2 ** upsamplings;
    layers.push(
      tfl.layers.upSampling2d({ size: [factor, factor], interpolation: 'bilinear', name: `${name}_upsample` }),
    );
  }
  return new LayerChain(layers);
}

/** Small random weights: the output starts near 0, yet every layer before it gets a gradient from the first step. */
function smallWeights(seed: number | undefined) {
  return tfl.initializers.randomNormal({ mean: 0, stddev: 1e-3, seed });
}

/** Options of {@link affineDecoder}. */
export interface AffineDecoderOptions {
  /** Layer name, unique within the model. */
  name: string;
}

/**
 * Decodes a geometric code [N, dG] into the residual [N, 6] of a global affine transform (see
 * `integralAffineDisplacement`): one dense layer whose zero initial weights and bias start every image
 * at exactly the identity. The weights still get a gradient (the geometric code is not zero), so the
 * affine part starts learning at the first step, and the geometric code gets its first gradient through
 * the local warp's decoder.
 */
export function affineDecoder({ name }: AffineDecoderOptions): LayerChain {
  return new LayerChain([tfl.layers.dense({ units: AFFINE_PARAMETERS, name, kernelInitializer: tfl.initializers.zeros() })]);
}
