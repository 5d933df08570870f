import * as tfl from '@tensorflow/tfjs-layers';

/**
 * He-normal initializers (He et al. 2015, the initialization of the ResNet paper; suited to ReLU
 * networks) for consecutive layers. With a seed, layer k draws from `seed + k`: one shared seed would
 * give every layer of the same shape identical initial weights.
 */
export class SeededInitializers {
  private next = 0;

  constructor(private readonly seed: number | undefined) {}

  heNormal(): ReturnType<typeof tfl.initializers.heNormal> {
    const seed = this.seed === undefined ? undefined : this.seed + this.next++;
    return tfl.initializers.heNormal(seed === undefined ? {} : { seed });
  }
}
