export function assertSeed(seed: unknown, where: string): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new Error(`${where}: seed must be an integer, but got ${String(seed)}`);
  }
}
