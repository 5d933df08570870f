import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageShape } from '@ddar/backbones';
import { defaultDecoderWidth, planDecoder, stageChannels } from './decoder_plan.js';
import { kernelInitializer, SeedSequence } from './initializers.js';
import { LayerChain } from './layer_chain.js';
import { assertImageShape, assertPositiveInteger } from './validate.js';

/** Options of {@link appearanceDecoder}; `outputShape` and `name` are required. */
export interface AppearanceDecoderOptions {
  /** [H, W, C] of the template, i.e. of the input images. */
  outputShape: ImageShape;
  /** Channels of the first feature map; they halve at each upsampling. Default 32 for C = 1, 64 otherwise. */
  width?: number;
  /** Upper bound on the number of 2x upsamplings, see {@link planDecoder}. Default 2. */
  maxUpsamplings?: number;
  /** Prefix of the layer names, unique within the model. */
  name: string;
  /** Base seed of the weight initializers, one derived per layer. Default unseeded (not reproducible). */
  seed?: number;
}

/**
 * Decodes a code [N, d] into an image [N, H, W, C] in (0, 1): dense + ReLU -> reshape to a small
 * feature map -> (2x nearest upsampling + 3x3 conv + ReLU) per stage but the last -> 2x nearest
 * upsampling -> 3x3 conv -> sigmoid. Upsampling followed by a convolution, rather than a transposed
 * convolution, avoids checkerboard artefacts.
 */
export function appearanceDecoder(options: AppearanceDecoderOptions): LayerChain {
  const op = 'appearanceDecoder';
  assertImageShape(op, 'options.outputShape', options.outputShape);
  const width = options.width ?? defaultDecoderWidth(options.outputShape);
  assertPositiveInteger(op, 'options.width', width);
  const { baseHeight, baseWidth, upsamplings } = planDecoder(options.outputShape, options.maxUpsamplings);
  const seeds = new SeedSequence(options.seed);
  const { name } = options;

  const layers: tfl.layers.Layer[] = [
    tfl.layers.dense({
      units: baseHeight * baseWidth * width,
      activation: 'relu',
      name: `${name}_dense`,
      kernelInitializer: kernelInitializer(seeds.take()),
    }),
    tfl.layers.reshape({ targetShape: [baseHeight, baseWidth, width], name: `${name}_reshape` }),
  ];
  // The last upsampling feeds the output convolution directly: a hidden convolution at full
  // resolution would cost more than all the others together, for little gain on 28 x 28 or 32 x 32.
  for (let stage = 1; stage <= upsamplings; stage++) {
    layers.push(tfl.layers.upSampling2d({ size: [2, 2], name: `${name}_upsample${stage}` }));
    if (stage < upsamplings) {
      layers.push(
        tfl.layers.conv2d({
          filters: stageChannels(width, stage),
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          name: `${name}_conv${stage}`,
          kernelInitializer: kernelInitializer(seeds.take()),
        }),
      );
    }
  }
  layers.push(
    tfl.layers.conv2d({
      filters: options.outputShape[2],
      kernelSize: 3,
      padding: 'same',
      activation: 'sigmoid',
      name: `${name}_output`,
      kernelInitializer: kernelInitializer(seeds.take()),
    }),
  );
  return new LayerChain(layers);
}
