import { SeededRandom } from '@ddar/random';
import {
  comparePaired,
  comparePairedByKey,
  decideFamily,
  holmAdjust,
  type PairedComparison,
} from './paired_statistics.js';

/** `seeds` vectors of `images` independent 0/1 draws, 1 with probability p. */
function bernoulli(random: SeededRandom, seeds: number, images: number, p: number): Uint8Array[] {
  return Array.from({ length: seeds }, () => Uint8Array.from({ length: images }, () => (random.next() < p ? 1 : 0)));
}

const filled = (seeds: number, images: number, value: 0 | 1) => Array.from({ length: seeds }, () => new Uint8Array(images).fill(value));

const contains = (c: PairedComparison, x: number) => c.interval[0] <= x && x <= c.interval[1];

describe('comparePaired: known answers', () => {
  it('a model against itself: difference exactly 0, an interval at 0, p = 1, not conclusive', () => {
    const a = bernoulli(new SeededRandom(1), 4, 1000, 0.7);
    const c = comparePaired(a, a.map((v) => v.slice()));
    expect(c.meanDifference).toBe(0);
    expect(c.perSeedDifferences).toEqual([0, 0, 0, 0]);
    expect(c.interval).toEqual([0, 0]);
    expect(c.pValue).toBe(1);
    expect(c.verdict).toBe('not conclusive');
    expect(c.discordant).toEqual({ aOnly: 0, bOnly: 0 });
    expect(c.accuracy.a).toBe(c.accuracy.b);
    expect(c).toMatchObject({ seeds: 4, images: 1000, confidence: 0.95, resamples: 2000, seed: 0 });
  });

  it('always right against always wrong: difference 1, interval [1, 1], p tiny, A better; and the reverse', () => {
    const right = filled(4, 1000, 1);
    const wrong = filled(4, 1000, 0);
    const better = comparePaired(right, wrong);
    expect(better.meanDifference).toBe(1);
    expect(better.interval).toEqual([1, 1]);
    expect(better.pValue).toBeLessThan(1e-200);
    expect(better.verdict).toBe('A better');
    expect(better.accuracy).toEqual({ a: 1, b: 0 });
    expect(better.summary).toBe('+100.0 points [+100.0, +100.0] (95% CI, paired bootstrap over 4 seeds × 1000 images), p < 0.001: A better');

    const worse = comparePaired(wrong, right, { names: { a: 'ddar', b: 'baseline' } });
    expect(worse.meanDifference).toBe(-1);
    expect(worse.interval).toEqual([-1, -1]);
    expect(worse.pValue).toBe(better.pValue);
    expect(worse.verdict).toBe('B better');
    expect(worse.summary).toMatch(/^-100\.0 points \[-100\.0, -100\.0\] .*: baseline better$/);
  });

  it('one seed is McNemar\'s exact test: 8 against 2 discordant images gives p = 2 · 56/1024', () => {
    const a = [Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0])];
    const b = [Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0])];
    const c = comparePaired(a, b);
    expect(c.discordant).toEqual({ aOnly: 8, bOnly: 2 });
    expect(c.meanDifference).toBeCloseTo(6 / 14, 15);
    expect(c.pValue).toBeCloseTo(112 / 1024, 14);
  });

  it('several seeds: the p-value flips the signs of whole images, and matches enumerating every sign pattern', () => {
    const random = new SeededRandom(5);
    const seeds = 3;
    const images = 14;
    const a = bernoulli(random, seeds, images, 0.75);
    const b = bernoulli(random, seeds, images, 0.45);
    const perImage = Array.from({ length: images }, (_, i) => a.reduce((sum, v, s) => sum + v[i] - b[s][i], 0));
    const observed = Math.abs(perImage.reduce((x, y) => x + y, 0));
    let atLeast = 0;
    for (let signs = 0; signs < 2 ** images; signs++) {
      const t = perImage.reduce((sum, d, i) => sum + ((signs >> i) & 1 ? -d : d), 0);
      if (Math.abs(t) >= observed) atLeast++;
    }
    const c = comparePaired(a, b);
    expect(observed).toBeGreaterThan(0);
    expect(c.pValue).toBeCloseTo(atLeast / 2 ** images, 12);
  });

  it('detects a small effect with lots of data: A right on 60 %, B on 50 %, B ⊂ A, 4 seeds × 1000 images', () => {
    const random = new SeededRandom(2);
    const a: Uint8Array[] = [];
    const b: Uint8Array[] = [];
    for (let s = 0; s < 4; s++) {
      const order = random.permutation(1000);
      const va = new Uint8Array(1000);
      const vb = new Uint8Array(1000);
      for (let k = 0; k < 600; k++) va[order[k]] = 1;
      for (let k = 0; k < 500; k++) vb[order[k]] = 1;
      a.push(va);
      b.push(vb);
    }
    const c = comparePaired(a, b);
    expect(c.meanDifference).toBeCloseTo(0.1, 12);
    expect(c.perSeedDifferences.map((d) => +d.toFixed(12))).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(c.discordant).toEqual({ aOnly: 400, bOnly: 0 });
    expect(c.interval[0]).toBeGreaterThan(0.05);
    expect(c.interval[1]).toBeLessThan(0.15);
    expect(contains(c, 0.1)).toBe(true);
    expect(c.pValue).toBeLessThan(1e-10);
    expect(c.verdict).toBe('A better');
  });

  it('leaves a tiny effect on few images not conclusive: 11 against 10 right of 20, one seed', () => {
    const a = [Uint8Array.from({ length: 20 }, (_, i) => (i < 11 ? 1 : 0))];
    const b = [Uint8Array.from({ length: 20 }, (_, i) => (i < 10 ? 1 : 0))];
    const c = comparePaired(a, b);
    expect(c.meanDifference).toBeCloseTo(0.05, 15);
    expect(contains(c, 0)).toBe(true);
    expect(c.pValue).toBe(1);
    expect(c.verdict).toBe('not conclusive');
    expect(c.summary).toMatch(/^\+5\.0 points \[0\.0, \+15\.0\] \(95% CI, paired bootstrap over 1 seed × 20 images\), p = 1\.000: not conclusive$/);
  });

  it('the interval follows the confidence: 80 % inside 99 %, both around the mean difference', () => {
    const random = new SeededRandom(3);
    const a = bernoulli(random, 3, 300, 0.8);
    const b = bernoulli(random, 3, 300, 0.7);
    const narrow = comparePaired(a, b, { confidence: 0.8 });
    const wide = comparePaired(a, b, { confidence: 0.99 });
    expect(wide.interval[0]).toBeLessThan(narrow.interval[0]);
    expect(narrow.interval[1]).toBeLessThan(wide.interval[1]);
    expect(contains(narrow, narrow.meanDifference)).toBe(true);
    expect(wide.summary).toContain('(99% CI,');
  });
});

describe('comparePaired under H0 (A and B the same kind of model), 200 simulated datasets each', () => {
  // 4 seeds × 150 images, 400 resamples: each comparison takes a few milliseconds.
  const seeds = 4;
  const images = 150;
  const datasets = 200;

  function rates(make: (random: SeededRandom) => [Uint8Array[], Uint8Array[]]): { covered: number; rejected: number } {
    const random = new SeededRandom(2024);
    let covered = 0;
    let rejected = 0;
    for (let d = 0; d < datasets; d++) {
      const [a, b] = make(random);
      const c = comparePaired(a, b, { resamples: 400, seed: d });
      if (contains(c, 0)) covered++;
      if (c.pValue < 0.05) rejected++;
    }
    return { covered: covered / datasets, rejected: rejected / datasets };
  }

  it('independent Bernoulli(0.7) per seed and image: the interval holds 0 in 93-100 %, p < 0.05 in 1-10 %', () => {
    // The shared image draw counts this (seed, image) noise more than once, so the interval is on the wide side here:
    // about 99 % of them hold 0 (see comparePaired's doc comment).
    const { covered, rejected } = rates((random) => [bernoulli(random, seeds, images, 0.7), bernoulli(random, seeds, images, 0.7)]);
    expect(covered).toBeGreaterThanOrEqual(0.93);
    expect(rejected).toBeGreaterThanOrEqual(0.01);
    expect(rejected).toBeLessThanOrEqual(0.1);
  });

  it('errors that follow the images (every seed right on the same images): the interval holds 0 in 90-99 %', () => {
    // Drawing images afresh for each seed would count every image four times here and hold 0 in only about 70 %.
    const { covered, rejected } = rates((random) => {
      const [a] = bernoulli(random, 1, images, 0.7);
      const [b] = bernoulli(random, 1, images, 0.7);
      return [Array.from({ length: seeds }, () => a), Array.from({ length: seeds }, () => b)];
    });
    expect(covered).toBeGreaterThanOrEqual(0.9);
    expect(covered).toBeLessThanOrEqual(0.99);
    expect(rejected).toBeGreaterThanOrEqual(0.01);
    expect(rejected).toBeLessThanOrEqual(0.1);
  });
});

describe('comparePaired: reproducibility and validation', () => {
  const random = new SeededRandom(9);
  const a = bernoulli(random, 2, 200, 0.6);
  const b = bernoulli(random, 2, 200, 0.55);

  it('gives the same interval for the same seed, and another for another seed', () => {
    const first = comparePaired(a, b, { seed: 11 });
    expect(comparePaired(a, b, { seed: 11 })).toEqual(first);
    const other = comparePaired(a, b, { seed: 12 });
    expect(other.interval).not.toEqual(first.interval);
    expect(other.meanDifference).toBe(first.meanDifference);
    expect(other.pValue).toBe(first.pValue);
  });

  it('takes plain arrays (as parsed from JSON) like typed ones', () => {
    expect(comparePaired(a.map((v) => Array.from(v)), b.map((v) => Array.from(v)))).toEqual(comparePaired(a, b));
  });

  it('rejects mismatched or malformed input with the argument named', () => {
    expect(() => comparePaired([], [])).toThrow('comparePaired: a must be a non-empty array of per-seed correctness vectors, but got an array of length 0');
    expect(() => comparePaired(a, undefined as unknown as Uint8Array[])).toThrow('comparePaired: b must be a non-empty array');
    expect(() => comparePaired(a, b.slice(0, 1))).toThrow('comparePaired: a has 2 seeds but b has 1');
    expect(() => comparePaired([new Uint8Array(0)], [new Uint8Array(0)])).toThrow('comparePaired: a[0] must be a non-empty array of 0/1 values');
    expect(() => comparePaired(a, [b[0], b[1].subarray(1)])).toThrow('comparePaired: b[1] has 199 images but a[0] has 200');
    expect(() => comparePaired([a[0], a[1].subarray(1)], b)).toThrow('comparePaired: a[1] has 199 images');
    expect(() => comparePaired(a, [b[0], 'x' as unknown as Uint8Array])).toThrow('comparePaired: b[1] must be an array of 0/1 values, but got x');
    expect(() => comparePaired([[1, 0, 2]], [[1, 0, 1]])).toThrow('comparePaired: a[0][2] must be 0 or 1, but got 2');
    expect(() => comparePaired([[1, 0, 1]], [[1, 0.5, 1]])).toThrow('comparePaired: b[0][1] must be 0 or 1, but got 0.5');
    expect(() => comparePaired(a, b, { confidence: 1 })).toThrow('comparePaired: options.confidence must be a number in (0, 1), but got 1');
    expect(() => comparePaired(a, b, { resamples: 0 })).toThrow('comparePaired: options.resamples must be an integer >= 1, but got 0');
    expect(() => comparePaired(a, b, { seed: NaN })).toThrow('comparePaired: options.seed must be a finite number, but got NaN');
  });
});

describe('comparePairedByKey', () => {
  it('compares every key in order, each as comparePaired would alone, and names the key in errors', () => {
    const random = new SeededRandom(4);
    const pairs = new Map([
      ['PGD-10 ε=0.1', { a: bernoulli(random, 2, 100, 0.5), b: bernoulli(random, 2, 100, 0.4) }],
      ['PGD-10 ε=0.3', { a: bernoulli(random, 2, 100, 0.2), b: bernoulli(random, 2, 100, 0.2) }],
    ]);
    const results = comparePairedByKey(pairs, { resamples: 500 });
    expect([...results.keys()]).toEqual(['PGD-10 ε=0.1', 'PGD-10 ε=0.3']);
    for (const [key, pair] of pairs) expect(results.get(key)).toEqual(comparePaired(pair.a, pair.b, { resamples: 500 }));
    expect(comparePairedByKey(Object.entries({ rotated: pairs.get('PGD-10 ε=0.1')! })).get('rotated')).toEqual(
      comparePaired(pairs.get('PGD-10 ε=0.1')!.a, pairs.get('PGD-10 ε=0.1')!.b),
    );
    expect(() => comparePairedByKey([['scaled 0.7', { a: [[1]], b: [[1, 0]] }]])).toThrow(
      'comparePairedByKey: key scaled 0.7: b[0] has 2 images but a[0] has 1',
    );
    expect(() => comparePairedByKey([['x', { a: [[1]], b: [[0]] }], ['x', { a: [[1]], b: [[0]] }]])).toThrow('comparePairedByKey: key x appears twice');
  });
});

describe('holmAdjust and decideFamily', () => {
  it('adjusts a hand-computed family of four', () => {
    // Sorted: 0.005 × 4 = 0.02; 0.01 × 3 = 0.03; 0.03 × 2 = 0.06; 0.04 × 1 = 0.04, raised to 0.06 to stay non-decreasing.
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((expected, i) => expect(adjusted[i]).toBeCloseTo(expected, 15));
    expect(holmAdjust([0.5, 0.4, 1])).toEqual([1, 1, 1]);
    expect(holmAdjust([0.02])).toEqual([0.02]);
    expect(holmAdjust([])).toEqual([]);
    expect(() => holmAdjust([0.1, NaN])).toThrow('holmAdjust: pValues[1] must be a number in [0, 1], but got NaN');
    expect(() => holmAdjust([1.5])).toThrow('holmAdjust: pValues[0] must be a number in [0, 1], but got 1.5');
  });

  it('decides a claim only when its interval excludes 0 and its Holm-adjusted p is at most alpha', () => {
    const decisions = decideFamily([
      { pValue: 0.001, verdict: 'A better' }, // 0.004: decided
      { pValue: 0.03, verdict: 'B better' }, // 0.06: not after adjustment
      { pValue: 0.01, verdict: 'not conclusive' }, // 0.03, but its interval holds 0
      { pValue: 0.3, verdict: 'not conclusive' },
    ]);
    expect(decisions.map((d) => d.verdict)).toEqual(['A better', 'not conclusive', 'not conclusive', 'not conclusive']);
    expect(decisions.map((d) => +d.adjustedPValue.toFixed(12))).toEqual([0.004, 0.06, 0.03, 0.3]);
    expect(decideFamily([{ pValue: 0.02, verdict: 'B better' }, { pValue: 0.5, verdict: 'not conclusive' }], { alpha: 0.1 })[0].verdict).toBe('B better');
    expect(() => decideFamily([], { alpha: 0 })).toThrow('decideFamily: options.alpha must be in (0, 1), but got 0');
  });
});
