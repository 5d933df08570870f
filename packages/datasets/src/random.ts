/**
 * A small seeded generator (mulberry32). Datasets must not depend on a backend's RNG: the same
 * seed has to give the same split, shuffle and affNIST-like test set on cpu, wasm and tfjs-node.
 */
export type RandomSource = () => number;

export function assertSeed(seed: unknown, where: string): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new Error(`${where}: seed must be an integer, but got ${String(seed)}`);
  }
}

/** Returns a function giving uniform floats in [0, 1), fully determined by `seed`. */
export function createRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform float in [lo, hi). */
export function uniform(random: RandomSource, lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}

/** 0..n-1 in a Fisher-Yates order drawn from `random`. */
export function shuffledIndices(n: number, random: RandomSource): Int32Array {
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = indices[i];
    indices[i] = indices[j];
    indices[j] = swap;
  }
  return indices;
}
