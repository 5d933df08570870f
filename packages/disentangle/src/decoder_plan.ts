import type { ImageShape } from '@ddar/backbones';

/** Where a decoder starts (a small feature map) and how many 2x upsamplings bring it to full size. */
export interface DecoderPlan {
  /** Height of the first feature map: the output height divided by `2 ** upsamplings`. */
  baseHeight: number;
  /** Width of the first feature map: the output width divided by `2 ** upsamplings`. */
  baseWidth: number;
  /** Number of 2x upsamplings from the base map to the output size; 0 for odd sizes. */
  upsamplings: number;
}

/**
 * Plans the decoder for an H x W output: as many 2x upsamplings as both H and W allow, up to
 * `maxUpsamplings` (28 -> 7 x 7 base with 2 upsamplings, 32 -> 8 x 8 with 2). An odd size gets no
 * upsampling at all, so every input size works, at the price of a larger first dense layer.
 */
export function planDecoder(outputShape: ImageShape, maxUpsamplings = 2): DecoderPlan {
  const [height, width] = outputShape;
  let upsamplings = 0;
  while (upsamplings < maxUpsamplings && height % 2 ** (upsamplings + 1) === 0 && width % 2 ** (upsamplings + 1) === 0) {
    upsamplings++;
  }
  return { baseHeight: height / 2 ** upsamplings, baseWidth: width / 2 ** upsamplings, upsamplings };
}

/** Channels after upsampling stage `stage` (1-based): halves each time, never below 8. */
export function stageChannels(width: number, stage: number): number {
  return Math.max(8, Math.round(width / 2 ** stage));
}

/** Default decoder width: 32 channels suffice for MNIST digits, CIFAR textures get 64. */
export function defaultDecoderWidth(outputShape: ImageShape): number {
  return outputShape[2] === 1 ? 32 : 64;
}
