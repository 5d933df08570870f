/**
 * A reproducible stream of uniform numbers in [0, 1) (mulberry32), one per (seed, stream) pair.
 *
 * Why not `SeededRandom` from @ddar/backend: that package is only a dev dependency of this one, and a
 * report must not change when the caller's code draws from `Math.random`. Separate streams keep one
 * metric's draws independent of another's: adding a draw to the rotation probe must not move the
 * invariance transforms.
 */
export function seededStream(seed: number, stream = 0): () => number {
  if (!Number.isFinite(seed) || !Number.isFinite(stream)) {
    throw new Error(`Error in seededStream: seed and stream must be finite numbers, but got ${seed} and ${stream}`);
  }
  // splitmix32 of (seed, stream): nearby seeds and streams start far apart in mulberry32's cycle.
  let state = splitmix32((Math.floor(seed) >>> 0) ^ splitmix32(Math.floor(stream) >>> 0));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function splitmix32(value: number): number {
  let z = (value + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
