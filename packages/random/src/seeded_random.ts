/** The whole state of a `SeededRandom`: four unsigned 32-bit integers, small enough to store in a checkpoint. */
export type RandomState = [number, number, number, number];

const TWO_TO_32 = 4294967296;

/**
 * The project's one random number generator: sfc32 (from PractRand), seeded through splitmix32.
 *
 * Everything that affects a result draws from it, never from `Math.random` or a backend's random kernels: those cannot be
 * seeded and saved, and their streams differ between cpu, wasm and tfjs-node. The whole state is four 32-bit integers,
 * so training stores it in a checkpoint and a resumed run draws exactly the numbers the uninterrupted run would have.
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
      return;
    }
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new Error(`SeededRandom: seed must be a finite number, but got ${String(seed)}`);
    }
    // splitmix32 spreads even tiny seeds (0, 1, 2) over the whole state, and twelve warm-up draws mix it further.
    let s = Math.floor(seed) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      return splitmix32Finalize(s);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /**
   * Stream number `stream` of `seed`: separate streams keep one consumer's draws independent of another's, so adding a
   * draw to one (say, a rotation probe) does not move the numbers another (say, the order of images) receives.
   */
  static stream(seed: number, stream: number): SeededRandom {
    if (typeof stream !== 'number' || !Number.isFinite(stream)) {
      throw new Error(`SeededRandom.stream: stream must be a finite number, but got ${String(stream)}`);
    }
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new Error(`SeededRandom.stream: seed must be a finite number, but got ${String(seed)}`);
    }
    return new SeededRandom(((Math.floor(seed) >>> 0) ^ splitmix32Finalize((Math.floor(stream) + 0x9e3779b9) >>> 0)) >>> 0);
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
    return this.nextUint32() / TWO_TO_32;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > TWO_TO_32) {
      throw new Error(`SeededRandom.int: maxExclusive must be an integer in [1, 2^32], but got ${maxExclusive}`);
    }
    // Rejection sampling keeps every value equally likely.
    const limit = TWO_TO_32 - (TWO_TO_32 % maxExclusive);
    let value: number;
    do {
      value = this.nextUint32();
    } while (value >= limit);
    return value % maxExclusive;
  }

  /** -1 or +1 with equal probability. */
  sign(): number {
    return this.nextUint32() & 1 ? 1 : -1;
  }

  /** Normal with the given mean and standard deviation (Box-Muller; two uniform draws per value, so the state stays four words). */
  normal(mean = 0, std = 1): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** `size` independent draws uniform in [low, high), e.g. the values of a random-start tensor. */
  uniformArray(size: number, low: number, high: number): Float32Array {
    const values = new Float32Array(checkedSize('uniformArray', size));
    for (let i = 0; i < values.length; i++) values[i] = low + (high - low) * this.next();
    return values;
  }

  /** `size` independent standard normal draws. */
  normalArray(size: number): Float32Array {
    const values = new Float32Array(checkedSize('normalArray', size));
    for (let i = 0; i < values.length; i++) values[i] = this.normal();
    return values;
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
    const order = new Int32Array(checkedSize('permutation', n));
    for (let i = 0; i < n; i++) order[i] = i;
    return this.shuffle(order);
  }

  /** An independent generator derived from this one, e.g. one per worker, restart or data stream. */
  fork(): SeededRandom {
    return new SeededRandom(this.nextUint32());
  }
}

function splitmix32Finalize(value: number): number {
  let z = value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function checkedSize(method: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`SeededRandom.${method}: n must be a non-negative integer, but got ${n}`);
  }
  return n;
}
