/** The whole state of a `SeededRandom`: four unsigned 32-bit integers, small enough to store in a checkpoint. */
export type RandomState = [number, number, number, number];

/**
 * A small seeded random number generator (sfc32) whose whole state is four 32-bit integers, so training can store it in
 * a checkpoint and resume the exact same stream. Math.random cannot be seeded or saved, which is why nothing in the
 * project uses it for anything that affects results.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | RandomState) {
    if (Array.isArray(seed)) {
      if (seed.length !== 4 || !seed.every((v) => Number.isInteger(v))) {
        throw new Error(`SeededRandom: state must be four integers, but got ${JSON.stringify(seed)}`);
      }
      [this.a, this.b, this.c, this.d] = seed.map((v) => v >>> 0) as RandomState;
    } else {
      if (!Number.isFinite(seed)) {
        throw new Error(`SeededRandom: seed must be a finite number, but got ${seed}`);
      }
      // splitmix32 spreads even tiny seeds (0, 1, 2) over the whole state.
      let s = Math.floor(seed) >>> 0;
      const next = () => {
        s = (s + 0x9e3779b9) >>> 0;
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
  }

  /** The state to store; `new SeededRandom(state)` continues the same stream. */
  state(): RandomState {
    return [this.a, this.b, this.c, this.d];
  }

  /** The next raw output, an unsigned 32-bit integer in [0, 2^32); the other methods are built on it. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > 4294967296) {
      throw new Error(`SeededRandom.int: maxExclusive must be an integer in [1, 2^32], but got ${maxExclusive}`);
    }
    // Rejection sampling keeps every value equally likely.
    const limit = 4294967296 - (4294967296 % maxExclusive);
    let value: number;
    do {
      value = this.nextUint32();
    } while (value >= limit);
    return value % maxExclusive;
  }

  /** Standard normal (Box-Muller). */
  normal(mean = 0, std = 1): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A seed for tfjs ops and initializers that take one (`tf.randomUniform(..., seed)`). */
  seed(): number {
    return this.nextUint32();
  }

  /** Shuffles in place (Fisher-Yates) and returns the array. */
  shuffle<T extends { length: number; [index: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`SeededRandom.permutation: n must be a non-negative integer, but got ${n}`);
    }
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return this.shuffle(order);
  }

  /** An independent generator derived from this one, e.g. one per worker or per data stream. */
  fork(): SeededRandom {
    return new SeededRandom(this.nextUint32());
  }
}
