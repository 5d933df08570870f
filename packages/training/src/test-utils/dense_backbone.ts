import * as tfl from '@tensorflow/tfjs-layers';
import type { DDARModelOptions } from '@ddar/disentangle';

type Backbone = NonNullable<DDARModelOptions['backbone']>;

export interface DenseBackboneOptions {
  inputShape: [number, number, number];
  seed: number;
  embeddingSize?: number;
}

/**
 * A flatten + dense embedding for the @ddar/disentangle models: trains in milliseconds on any backend, which is all
 * these tests need of a backbone. (Handed to `create` directly, so this package needs no dependency on the registry.)
 */
export function denseBackbone(options: DenseBackboneOptions): Backbone {
  const embeddingSize = options.embeddingSize ?? 24;
  const namePrefix = 'dense_backbone';
  return {
    name: 'trainingTestDense',
    options: { inputShape: options.inputShape, width: 1, embeddingSize, namePrefix, seed: options.seed },
    embeddingSize,
    apply(input: tfl.SymbolicTensor) {
      const flat = tfl.layers.flatten({ name: `${namePrefix}_flatten` }).apply(input) as tfl.SymbolicTensor;
      return tfl.layers
        .dense({
          units: embeddingSize,
          activation: 'relu',
          name: `${namePrefix}_dense`,
          kernelInitializer: tfl.initializers.glorotUniform({ seed: options.seed }),
        })
        .apply(flat) as tfl.SymbolicTensor;
    },
  };
}
