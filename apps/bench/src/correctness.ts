/**
 * Per-image correctness (1 correct, 0 wrong) packed into bits and written as base64: image i is bit i % 8 (least
 * significant first) of byte floor(i / 8). 1000 images take 168 characters, so results.json can keep every image of
 * every measurement. In Python: `np.unpackbits(np.frombuffer(base64.b64decode(s), np.uint8), bitorder='little')[:n]`.
 */
export function encodeCorrectness(flags: ArrayLike<number>): string {
  const bytes = new Uint8Array(Math.ceil(flags.length / 8));
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] !== 0 && flags[i] !== 1) throw new Error(`encodeCorrectness: flags must be 0 or 1, but flags[${i}] is ${flags[i]}`);
    if (flags[i] === 1) bytes[i >> 3] |= 1 << (i & 7);
  }
  return Buffer.from(bytes).toString('base64');
}

/** The `count` flags that {@link encodeCorrectness} packed. */
export function decodeCorrectness(encoded: string, count: number): Uint8Array {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== Math.ceil(count / 8)) {
    throw new Error(`decodeCorrectness: ${count} images need ${Math.ceil(count / 8)} bytes, but the string holds ${bytes.length}`);
  }
  const flags = new Uint8Array(count);
  for (let i = 0; i < count; i++) flags[i] = (bytes[i >> 3] >> (i & 7)) & 1;
  return flags;
}

/** The fraction of ones. */
export function meanOf(flags: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < flags.length; i++) sum += flags[i];
  return flags.length === 0 ? NaN : sum / flags.length;
}
