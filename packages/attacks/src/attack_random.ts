import { SeededRandom } from '@ddar/random';

let defaultSeedCounter = 0;

/**
 * The generator of an attack call: its `seed` when given; otherwise the next seed of a fixed sequence, so that a per-batch
 * helper called without a seed (e.g. during adversarial training) gives successive batches fresh noise while a whole
 * run stays reproducible from process start. Attacks draw from this, never from Math.random or a backend's random
 * kernels, whose streams differ between cpu, wasm and tfjs-node.
 */
export function attackRandom(seed: number | undefined): SeededRandom {
  if (seed !== undefined) return new SeededRandom(seed);
  defaultSeedCounter += 1;
  return new SeededRandom(0x5eed0000 + defaultSeedCounter);
}
