import { SeededRandom } from './seeded_random.js';

describe('SeededRandom', () => {
  it('keeps the stream that seeded runs were made with (sfc32 seeded by splitmix32)', () => {
    const rng = new SeededRandom(7);
    expect(Array.from({ length: 4 }, () => rng.nextUint32())).toEqual([838155491, 1550620431, 3610122010, 3621410451]);
    expect(Array.from(new SeededRandom(42).permutation(10))).toEqual([8, 3, 2, 1, 6, 4, 5, 0, 7, 9]);
  });

  it('gives independent named streams of one seed, each repeatable', () => {
    const first = (seed: number, stream: number) => SeededRandom.stream(seed, stream).nextUint32();
    expect(first(3, 0)).toBe(first(3, 0));
    expect(new Set([first(3, 0), first(3, 1), first(3, 2), first(4, 0), first(4, 1)]).size).toBe(5);
    expect(() => SeededRandom.stream(3, NaN)).toThrow('SeededRandom.stream: stream must be a finite number, but got NaN');
  });

  it('forks a child whose draws do not depend on how many the parent makes afterwards', () => {
    const parent = new SeededRandom(9);
    const child = parent.fork();
    const again = new SeededRandom(9).fork();
    parent.next();
    expect(child.next()).toBe(again.next());
  });

  it('fills arrays with uniform draws in range and signs of both kinds', () => {
    const rng = new SeededRandom(5);
    const values = rng.uniformArray(1000, -0.3, 0.3);
    expect(values).toHaveLength(1000);
    expect(values.every((v) => v >= -0.3 && v < 0.3)).toBe(true);
    const signs = new Set(Array.from({ length: 50 }, () => rng.sign()));
    expect([...signs].sort()).toEqual([-1, 1]);
    expect(rng.normalArray(3)).toHaveLength(3);
  });

  it('repeats the same stream for the same seed and differs across seeds', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const sa = Array.from({ length: 20 }, () => a.next());
    const sb = Array.from({ length: 20 }, () => b.next());
    const sc = Array.from({ length: 20 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('resumes exactly from a saved state', () => {
    const original = new SeededRandom(123);
    for (let i = 0; i < 17; i++) original.next();
    const resumed = new SeededRandom(original.state());
    expect(Array.from({ length: 10 }, () => resumed.nextUint32())).toEqual(
      Array.from({ length: 10 }, () => original.nextUint32()),
    );
  });

  it('draws uniform values in range with the right mean, and integers without bias', () => {
    const rng = new SeededRandom(1);
    let sum = 0;
    const counts = new Array(10).fill(0);
    const n = 100000;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      counts[rng.int(10)]++;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const count of counts) expect(Math.abs(count - n / 10)).toBeLessThan(n / 10 * 0.05);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const rng = new SeededRandom(2);
    const n = 50000;
    const xs = Array.from({ length: n }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it('produces permutations', () => {
    const p = new SeededRandom(3).permutation(1000);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('rejects bad seeds, states and bounds by name', () => {
    expect(() => new SeededRandom(NaN)).toThrow('SeededRandom: seed must be a finite number, but got NaN');
    expect(() => new SeededRandom([1, 2, 3] as never)).toThrow(/state must be four integers/);
    expect(() => new SeededRandom(0).int(0)).toThrow(/maxExclusive must be an integer in \[1, 2\^32\], but got 0/);
    expect(() => new SeededRandom(0).permutation(-1)).toThrow(/n must be a non-negative integer/);
    expect(() => new SeededRandom(0).uniformArray(1.5, 0, 1)).toThrow('SeededRandom.uniformArray: n must be a non-negative integer, but got 1.5');
  });
});
