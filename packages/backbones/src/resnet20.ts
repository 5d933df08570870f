import { residualNetwork, type ResNetBackbone, type ResNetOptions } from './residual_network.js';

/**
 * ResNet-20 for 32x32 images, as in He et al. 2016 ("Deep Residual Learning for Image
 * Recognition", §4.2): a conv3x3 stem, 3 stages of 3 basic blocks with 16, 32, 64 filters (times
 * `width`), batch norm after every convolution, global average pooling; 269,072 trainable
 * parameters at width 1 with 3 input channels (0.27M with the paper's 10-way classifier).
 *
 * - Shortcuts: option A by default (identity + zero padding, as the paper's CIFAR-10 nets);
 *   `shortcut: 'B'` uses 1x1 projections where the shape changes.
 * - Embedding: the 64·width pooled features; a different `embeddingSize` adds a linear projection.
 * - Input: [H, W, C] with H and W multiples of 4, any number of channels.
 */
export function resnet20(options: ResNetOptions): ResNetBackbone {
  return residualNetwork(
    { name: 'resnet20', baseFilters: 16, blocksPerStage: [3, 3, 3], defaultShortcut: 'A' },
    options,
  );
}
