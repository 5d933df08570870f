import { residualNetwork, type ResNetBackbone, type ResNetOptions } from './residual_network.js';

/**
 * ResNet-18, CIFAR variant: the standard (post-activation) ResNet-18 of He et al. 2016 with the
 * ImageNet stem (7x7 stride-2 conv + max-pool) replaced by a stride-1 conv3x3, as commonly trained on
 * 32x32 images (e.g. the adversarial-training literature). 4 stages of 2 basic blocks with 64, 128,
 * 256, 512 filters (times `width`), batch norm, global average pooling; 11,168,832 trainable
 * parameters at width 1 with 3 input channels.
 *
 * - Shortcuts: option B by default (1x1 conv + batch norm where the shape changes), as the standard
 *   ResNet-18; `shortcut: 'A'` uses parameter-free zero padding instead.
 * - Embedding: the 512·width pooled features; a different `embeddingSize` adds a linear projection.
 * - Input: [H, W, C] with H and W multiples of 8, any number of channels.
 */
export function resnet18(options: ResNetOptions): ResNetBackbone {
  return residualNetwork(
    { name: 'resnet18', baseFilters: 64, blocksPerStage: [2, 2, 2, 2], defaultShortcut: 'B' },
    options,
  );
}
