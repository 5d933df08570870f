import { decodeCorrectness, encodeCorrectness, meanOf } from './correctness.js';

describe('per-image correctness', () => {
  it('round-trips any count of flags through base64 bits, least significant bit first', () => {
    for (const count of [1, 7, 8, 9, 1000]) {
      const flags = Uint8Array.from({ length: count }, (_, i) => ((i * 7919) % 3 === 0 ? 1 : 0));
      expect(decodeCorrectness(encodeCorrectness(flags), count)).toEqual(flags);
    }
    // Images 0 and 2 right: 0b101 = 5 in the first byte.
    expect(encodeCorrectness([1, 0, 1])).toBe(Buffer.from([5]).toString('base64'));
    expect(meanOf([1, 0, 1, 1])).toBe(0.75);
  });

  it('refuses flags other than 0 and 1, and a string of the wrong length', () => {
    expect(() => encodeCorrectness([1, 2])).toThrow('encodeCorrectness: flags must be 0 or 1, but flags[1] is 2');
    expect(() => decodeCorrectness(encodeCorrectness([1, 0, 1]), 9)).toThrow('decodeCorrectness: 9 images need 2 bytes, but the string holds 1');
  });
});
