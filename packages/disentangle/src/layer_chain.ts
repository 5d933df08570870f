import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Layers applied one after the other. Kept as a list (not a sub-model) so that the chain lives inside
 * the one functional model that saves every weight, and can still be run on its own on concrete
 * tensors (to decode codes that did not come from an image) with the very same weights.
 */
export class LayerChain {
  constructor(
    /** The layers, applied in this order; must not be empty. */
    readonly layers: readonly tfl.layers.Layer[],
  ) {
    if (layers.length === 0) {
      throw new Error('Error in LayerChain: layers must not be empty');
    }
  }

  /** Adds the chain to a functional graph. */
  applySymbolic(input: tfl.SymbolicTensor): tfl.SymbolicTensor {
    return this.layers.reduce((x, layer) => layer.apply(x) as tfl.SymbolicTensor, input);
  }

  /**
   * Runs the chain on concrete tensors; differentiable. Intermediates are disposed, the output
   * belongs to the caller.
   */
  run(input: tf.Tensor, training = false): tf.Tensor {
    return tf.tidy(() => this.layers.reduce((x, layer) => layer.apply(x, { training }) as tf.Tensor, input));
  }

  /** The layers' names, in order, as recorded in saved models. */
  get names(): string[] {
    return this.layers.map((layer) => layer.name);
  }
}
