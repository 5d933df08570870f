import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Glorot-uniform (the tfjs-layers default) with an optional seed, so that a seeded model is
 * reproducible. Each layer passes its own seed: one shared seed would give equal-shaped layers
 * identical weights.
 */
export function kernelInitializer(seed: number | undefined) {
  return seed === undefined ? 'glorotUniform' : tfl.initializers.glorotUniform({ seed });
}

/**
 * Hands out one distinct seed per layer from a base seed (undefined stays undefined: unseeded).
 */
export class SeedSequence {
  private next: number | undefined;

  constructor(base: number | undefined) {
    this.next = base;
  }

  take(): number | undefined {
    if (this.next === undefined) return undefined;
    const seed = this.next;
    this.next = (this.next + 7919) % 2 ** 31;
    return seed;
  }
}
