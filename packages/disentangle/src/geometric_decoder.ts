import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageShape } from '@ddar/backbones';
import { defaultDecoderWidth, planDecoder, stageChannels } from './decoder_plan.js';
import { kernelInitializer, SeedSequence } from './initializers.js';
import { LayerChain } from './layer_chain.js';
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
  assertImageShape(op, 'options.outputShape', options.outputShape);
  const { maxDisplacement, name } = options;
  assertPositiveNumber(op, 'options.maxDisplacement', maxDisplacement);
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
      activation: 'tanh',
      name: `${name}_field`,
      kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 1e-3, seed: seeds.take() }),
    }),
    tfl.layers.rescaling({ scale: maxDisplacement, name: `${name}_scale` }),
  );
  if (lowResolution && upsamplings > 0) {
    const factor = 2 ** upsamplings;
    layers.push(
      tfl.layers.upSampling2d({ size: [factor, factor], interpolation: 'bilinear', name: `${name}_upsample` }),
    );
  }
  return new LayerChain(layers);
}
