import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageShape } from '@ddar/backbones';
import { kernelInitializer } from './initializers.js';
import { assertPositiveInteger } from './validate.js';

/** How the geometric code is decoded: see `DDARModelOptions.geometry`. */
export type GeometryKind = 'integral' | 'displacement';

/** Every {@link GeometryKind}, for validating configuration and listing choices in CLIs. */
export const GEOMETRY_KINDS: readonly GeometryKind[] = ['integral', 'displacement'];

/**
 * Default code sizes. For the `integral` geometry (the default): (dA, dG) = (8, 64) for one-channel
 * inputs such as MNIST, (64, 128) for colour inputs. The appearance code is kept small so that the
 * template decoder cannot paint every pose itself and the warp has to do the geometric work (the
 * sizing of Deforming Autoencoders). The MNIST sizes were chosen by the experiment in
 * docs/results/disentanglement.md: with dA 32, 16 and 8 a linear probe read the rotation angle from z_a
 * with R² 0.58, 0.41 and 0.09, at clean accuracies within 0.3 points. The colour sizes were not
 * measured. For the `displacement` ablation, the sizes of the first version: (64, 16) and (128, 32).
 */
export function defaultCodeSizes(inputShape: ImageShape, geometry: GeometryKind = 'integral'): { dA: number; dG: number } {
  const grayscale = inputShape[2] === 1;
  if (geometry === 'displacement') return grayscale ? { dA: 64, dG: 16 } : { dA: 128, dG: 32 };
  return grayscale ? { dA: 8, dG: 64 } : { dA: 64, dG: 128 };
}

/** Options of {@link appearanceHead} and {@link geometricHead}. */
export interface HeadOptions {
  /** Size of the code. */
  size: number;
  /** Layer name, unique within the model. */
  name: string;
  /** Seed of the weight initializer. */
  seed?: number;
}

/**
 * Maps the backbone embedding [N, d] to the appearance code z_a [N, dA]. Linear: the classifier reads
 * this code, and a nonlinearity here would only clip information the decoder needs.
 */
export function appearanceHead(options: HeadOptions): tfl.layers.Layer {
  return codeLayer('appearanceHead', options);
}

/** Maps the backbone embedding [N, d] to the geometric code z_g [N, dG]. Linear, as the appearance head. */
export function geometricHead(options: HeadOptions): tfl.layers.Layer {
  return codeLayer('geometricHead', options);
}

function codeLayer(op: string, { size, name, seed }: HeadOptions): tfl.layers.Layer {
  assertPositiveInteger(op, 'options.size', size);
  return tfl.layers.dense({ units: size, name, kernelInitializer: kernelInitializer(seed) });
}
