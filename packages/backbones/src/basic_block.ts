import * as tfl from '@tensorflow/tfjs-layers';
import type { SeededInitializers } from './seeded_initializers.js';

/**
 * How a residual block matches its shortcut to a main path that changes shape (He et al. 2016,
 * "Deep Residual Learning for Image Recognition", §3.3):
 * - `'A'`: identity, subsampled by the stride, with zero channels appended; no parameters (their
 *   CIFAR-10 ResNets, §4.2);
 * - `'B'`: a 1x1 convolution with the stride, then batch norm (a "projection").
 * Shape-preserving blocks always use the plain identity.
 */
export type ShortcutKind = 'A' | 'B';

/**
 * PyTorch's batch-norm constants, which the CIFAR ResNet references were trained with: Keras'
 * momentum 0.99 makes the moving statistics lag far behind during the few epochs small runs last.
 */
const BATCH_NORM = { axis: -1, momentum: 0.9, epsilon: 1e-5 } as const;

export interface BasicBlockConfig {
  /** Layer-name prefix of this block, e.g. `resnet20_stage2_block1`. */
  name: string;
  inputChannels: number;
  outputChannels: number;
  /** 1, or 2 to halve the height and width. */
  stride: 1 | 2;
  shortcut: ShortcutKind;
  initializers: SeededInitializers;
}

/** conv (no bias: batch norm's beta plays that role) -> batch norm; 3x3 in the blocks, 1x1 for projections. */
export function convBatchNorm(
  name: string,
  filters: number,
  kernelSize: 1 | 3,
  stride: 1 | 2,
  initializers: SeededInitializers,
): tfl.layers.Layer[] {
  return [
    tfl.layers.conv2d({
      name: `${name}_conv`,
      filters,
      kernelSize,
      strides: stride,
      padding: 'same',
      useBias: false,
      kernelInitializer: initializers.heNormal(),
    }),
    tfl.layers.batchNormalization({ name: `${name}_bn`, ...BATCH_NORM }),
  ];
}

/**
 * The basic residual block of He et al. 2016 (post-activation, as in the paper):
 * `relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x))`. Layers are created once, here, and
 * wired by the returned function, so applying it twice shares the weights.
 */
export function basicBlock(config: BasicBlockConfig): (x: tfl.SymbolicTensor) => tfl.SymbolicTensor {
  const { name, inputChannels, outputChannels, stride, shortcut, initializers } = config;
  const first = convBatchNorm(`${name}_1`, outputChannels, 3, stride, initializers);
  const firstActivation = tfl.layers.activation({ name: `${name}_1_relu`, activation: 'relu' });
  const second = convBatchNorm(`${name}_2`, outputChannels, 3, 1, initializers);
  const add = tfl.layers.add({ name: `${name}_add` });
  const outputActivation = tfl.layers.activation({ name: `${name}_relu`, activation: 'relu' });
  const reshapes = stride !== 1 || inputChannels !== outputChannels;
  const applyShortcut = !reshapes
    ? (x: tfl.SymbolicTensor) => x
    : shortcut === 'B'
      ? sequence(convBatchNorm(`${name}_shortcut`, outputChannels, 1, stride, initializers))
      : zeroPaddedIdentity(`${name}_shortcut`, inputChannels, outputChannels, stride);

  const mainPath = sequence([...first, firstActivation, ...second]);
  return (x) => outputActivation.apply(add.apply([mainPath(x), applyShortcut(x)])) as tfl.SymbolicTensor;
}

/** Applies `layers` one after the other. */
export function sequence(layers: tfl.layers.Layer[]): (x: tfl.SymbolicTensor) => tfl.SymbolicTensor {
  return (x) => layers.reduce((y, layer) => layer.apply(y) as tfl.SymbolicTensor, x);
}

/**
 * Option A: `x[:, ::stride, ::stride, :]` followed by zero channels up to `outputChannels`. Built
 * from built-in, parameter-free layers so that a saved model reloads without custom classes: a 1x1
 * max-pool with the stride subsamples, and a Rescaling by 0 of the subsampled map makes the zeros.
 * That needs `outputChannels = 2 · inputChannels`, which every stage transition of the CIFAR
 * ResNets satisfies (16 -> 32 -> 64, times the width).
 */
function zeroPaddedIdentity(
  name: string,
  inputChannels: number,
  outputChannels: number,
  stride: 1 | 2,
): (x: tfl.SymbolicTensor) => tfl.SymbolicTensor {
  if (outputChannels !== 2 * inputChannels) {
    throw new Error(
      `Error in basicBlock: shortcut 'A' pads ${inputChannels} channels with as many zeros, so it needs ` +
        `outputChannels = ${2 * inputChannels}, but got ${outputChannels}`,
    );
  }
  const subsample = tfl.layers.maxPooling2d({ name: `${name}_subsample`, poolSize: 1, strides: stride });
  const zeros = tfl.layers.rescaling({ name: `${name}_zeros`, scale: 0, offset: 0 });
  const concatenate = tfl.layers.concatenate({ name: `${name}_pad`, axis: -1 });
  return (x) => {
    const subsampled = subsample.apply(x) as tfl.SymbolicTensor;
    return concatenate.apply([subsampled, zeros.apply(subsampled) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
  };
}
