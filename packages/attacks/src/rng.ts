import * as tf from '@tensorflow/tfjs-core';

/**
 * A small seeded PRNG (sfc32, from PractRand) so that every attack is reproducible from its `seed`
 * on every backend: random starts and Square's proposals are drawn here, never with Math.random or
 * backend-specific random kernels, whose streams differ between cpu, wasm and tfjs-node.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed = 0) {
    if (!Number.isFinite(seed)) {
      throw new Error(`Rng: seed must be a finite number, but got ${seed}`);
    }
    // splitmix32 expands one number into four well-mixed state words; seeds 0 and 1 then differ everywhere.
    let s = Math.floor(seed) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next raw output, an unsigned 32-bit integer; the other draws are built on it. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** -1 or +1 with equal probability. */
  sign(): number {
    return this.nextUint32() & 1 ? 1 : -1;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A seed for a derived stream, so that sub-computations do not depend on how many draws came before. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }

  /** A float32 tensor of independent draws uniform in [low, high), filled from this stream. */
  uniformTensor<R extends tf.Rank>(shape: tf.ShapeMap[R], low: number, high: number): tf.Tensor<R> {
    const size = shape.reduce((p, q) => p * q, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = low + (high - low) * this.uniform();
    return tf.tensor(values, shape, 'float32') as tf.Tensor<R>;
  }

  /** A float32 tensor of independent standard normal draws, filled from this stream. */
  normalTensor<R extends tf.Rank>(shape: tf.ShapeMap[R]): tf.Tensor<R> {
    const size = shape.reduce((p, q) => p * q, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = this.normal();
    return tf.tensor(values, shape, 'float32') as tf.Tensor<R>;
  }
}

let defaultSeedCounter = 0;

/**
 * The generator used when a caller gives no seed to a per-batch helper (e.g. during adversarial
 * training): each call gets the next seed of a fixed sequence, so successive batches get fresh noise
 * while a whole run stays reproducible from process start.
 */
export function rngFor(seed: number | undefined): Rng {
  if (seed !== undefined) return new Rng(seed);
  defaultSeedCounter += 1;
  return new Rng(0x5eed0000 + defaultSeedCounter);
}
