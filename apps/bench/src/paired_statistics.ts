/**
 * Paired statistics for the report's claims "model A beats model B", from per-image correctness.
 *
 * The bench scores every model of a dataset on the same test images, in the same order, for every seed, and seed s of
 * A and seed s of B see the same data order. So a comparison is paired twice over: A and B on the same image, and A and
 * B of the same seed. The same test images also serve every seed, so images and seeds are crossed, not nested: image
 * 17 is image 17 in seed 1 and in seed 4.
 *
 * - {@link comparePaired}: one claim. The mean difference in accuracy, a bootstrap interval over seeds and images, an
 *   exact sign-flip p-value, and a verdict from the interval.
 * - {@link comparePairedByKey}: the same for several attacks, budgets or transforms at once.
 * - {@link holmAdjust} and {@link decideFamily}: the rule for a report that tests several claims.
 *
 * Pure TypeScript: no tfjs, no I/O. Randomness comes from `SeededRandom`, so the same input and seed give the same
 * interval on every machine.
 */
import { SeededRandom } from '@ddar/random';

/** Per-image correctness of one model, one vector per seed: 1 where the model classified the image right, 0 where not. */
export type CorrectnessBySeed = readonly ArrayLike<number>[];

/** Two models scored on the same test images: `a[s][i]` and `b[s][i]` are seed s's correctness on image i. */
export interface PairedCorrectness {
  a: CorrectnessBySeed;
  b: CorrectnessBySeed;
}

/** The answer to "A beats B": from the interval, never from a spread-of-seeds rule. */
export type Verdict = 'A better' | 'B better' | 'not conclusive';

export interface PairedComparisonOptions {
  /** Coverage of the interval, in (0, 1). Default 0.95. */
  confidence?: number;
  /** Bootstrap replicates. Default 2000. */
  resamples?: number;
  /** Seed of the bootstrap's `SeededRandom`. Default 0. */
  seed?: number;
  /** Names for `summary` only (e.g. `{ a: 'ddar', b: 'baseline' }`); `verdict` always says A and B. Default A and B. */
  names?: { a: string; b: string };
}

export interface PairedComparison {
  /** Seeds compared (A's seed s with B's seed s). */
  seeds: number;
  /** Test images per seed. */
  images: number;
  /** Accuracy of A and of B, each the mean over seeds, in 0..1. */
  accuracy: { a: number; b: number };
  /** Per seed, accuracy of A minus accuracy of B, in accuracy units (-1..1). */
  perSeedDifferences: number[];
  /** Mean over seeds of accuracy A − accuracy B, in accuracy units. Positive: A is more accurate. */
  meanDifference: number;
  /** Percentile interval of the mean difference from the paired bootstrap over seeds and images, `[low, high]`. */
  interval: [number, number];
  confidence: number;
  resamples: number;
  seed: number;
  /** (seed, image) pairs where only A was right, and where only B was right; the rest agree. */
  discordant: { aOnly: number; bOnly: number };
  /** Two-sided p-value of the exact sign-flip test over images (H0: A and B are exchangeable on every image). */
  pValue: number;
  /** 'A better' when the interval lies above 0, 'B better' when below, else 'not conclusive'. Per claim, unadjusted. */
  verdict: Verdict;
  /** One line, e.g. `+3.1 points [+1.2, +5.0] (95% CI, paired bootstrap over 4 seeds × 1000 images), p = 0.002: A better`. */
  summary: string;
}

/**
 * Compares A with B on paired per-image correctness.
 *
 * **The interval** is a percentile bootstrap. Each replicate draws the seeds with replacement and one set of image
 * indices with replacement, and scores every drawn seed, A and B alike, on those same images; the replicate is the mean
 * over the drawn seeds of accuracy A − accuracy B on the drawn images. Drawing images captures test-set sampling: with
 * other test images from the same distribution the difference would move. Drawing seeds captures training randomness:
 * with other seeds it would move too. The image indices are shared by the drawn seeds because the seeds share their
 * test images: an image on which A is better in every seed is one piece of evidence, not four. Drawing images afresh
 * for each seed would count it four times and, when the models' errors follow the images (some images are harder than
 * others), make the interval too narrow by up to a factor √seeds. The shared draw (the "pigeonhole" bootstrap for
 * crossed designs, Owen 2007) errs the other way: noise that belongs to neither the seed nor the image alone is counted
 * more than once, so the interval is somewhat too wide (in simulations of pure noise about 99% of 95% intervals held
 * the truth), never too narrow because of the images. With few seeds the seed draw is coarse (4 seeds have 35 distinct
 * draws) and misses a share 1/seeds of the between-seed variance; that is the price of 2-4 seeds, and
 * docs/reproduction.md says so.
 *
 * **The p-value** is an exact two-sided sign-flip (permutation) test with the image as the unit. For image i let D_i be
 * the sum over seeds s of (seed s of A right) − (seed s of B right), in −seeds..seeds; the statistic is ΣD_i, i.e.
 * seeds × images × `meanDifference`. Under H0, A and B are exchangeable on each image: swapping which model is called A
 * on image i, in all seeds at once, is as likely as not, so each D_i's sign is a fair coin independent of the others'.
 * The p-value is the exact probability of |Σ±D_i| ≥ |ΣD_i| over all 2^images sign patterns, computed by convolving
 * binomials (images with D_i = 0 drop out, as concordant pairs do in McNemar's test). With one seed it is exactly
 * McNemar's exact test. It fits paired 0/1 outcomes because it needs no normality and no variance estimate, only the
 * symmetry H0 implies; it keeps an image's seeds together for the same reason the bootstrap does (flipping each (seed,
 * image) pair on its own would treat one image's four seeds as four independent images and overstate the evidence). It
 * conditions on the trained models: it asks whether these models of A and B differ on the test distribution, not
 * whether other seeds would agree. That is why the verdict comes from the interval, which also varies the seeds, and
 * the p-value serves the family rule ({@link decideFamily}).
 *
 * Cost: `resamples` × (images random draws + seeds × images additions), and for the p-value one convolution of at most
 * seeds × images terms per distinct |D_i|. 2000 × 4 seeds × 1000 images take about 60 ms.
 */
export function comparePaired(a: CorrectnessBySeed, b: CorrectnessBySeed, options: PairedComparisonOptions = {}): PairedComparison {
  return compare('comparePaired', a, b, options);
}

/**
 * {@link comparePaired} for each entry, e.g. one per attack budget (`'PGD-10 ε=0.1'`) or transform (`'rotated 30'`),
 * in the order given. Every entry uses the same options and seed, so an entry's result is the one `comparePaired` gives
 * for it alone, whatever else is in the list. Accepts a `Map` or any iterable of `[key, { a, b }]` (`Object.entries(r)`).
 */
export function comparePairedByKey<K>(
  pairs: Iterable<readonly [K, PairedCorrectness]>,
  options: PairedComparisonOptions = {},
): Map<K, PairedComparison> {
  const out = new Map<K, PairedComparison>();
  for (const [key, pair] of pairs) {
    if (out.has(key)) throw new Error(`comparePairedByKey: key ${String(key)} appears twice`);
    if (typeof pair !== 'object' || pair === null) {
      throw new Error(`comparePairedByKey: the entry of key ${String(key)} must be { a, b }, but got ${String(pair)}`);
    }
    out.set(key, compare(`comparePairedByKey: key ${String(key)}`, pair.a, pair.b, options));
  }
  return out;
}

/**
 * Holm–Bonferroni adjusted p-values, in the order given: sorted ascending, the j-th smallest (from 1) is multiplied by
 * (m − j + 1), capped at 1, and made non-decreasing. Rejecting every hypothesis whose adjusted p is at most α keeps the
 * chance of any false rejection in the family at most α, whatever the dependence between the tests, and rejects at least
 * what Bonferroni rejects.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  if (!Array.isArray(pValues)) throw new Error(`holmAdjust: pValues must be an array, but got ${String(pValues)}`);
  pValues.forEach((p, i) => {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`holmAdjust: pValues[${i}] must be a number in [0, 1], but got ${String(p)}`);
  });
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i] - pValues[j] || i - j);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}

/** A claim's standing in its family: see {@link decideFamily}. */
export interface FamilyDecision {
  /** The claim's Holm-adjusted p-value within the family. */
  adjustedPValue: number;
  /** The claim's own verdict if `adjustedPValue` ≤ alpha, else 'not conclusive'. */
  verdict: Verdict;
}

/**
 * The verdicts of a family of claims, e.g. every claim of one dataset's report. A claim is decided only when both hold:
 * its interval excludes 0 (its own `verdict`, which includes the variation between seeds) and its Holm-adjusted
 * p-value is at most `alpha` (which keeps the chance of any false "better" in the family at most `alpha`). Otherwise it
 * is 'not conclusive'. The intervals themselves stay per-claim and unadjusted: each says how large one difference is,
 * and is read one at a time. Use `alpha` = 1 − the intervals' confidence (the default 0.05 goes with 0.95).
 */
export function decideFamily(
  comparisons: readonly Pick<PairedComparison, 'pValue' | 'verdict'>[],
  options: { alpha?: number } = {},
): FamilyDecision[] {
  const alpha = options.alpha ?? 0.05;
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) throw new Error(`decideFamily: options.alpha must be in (0, 1), but got ${String(alpha)}`);
  if (!Array.isArray(comparisons)) throw new Error(`decideFamily: comparisons must be an array, but got ${String(comparisons)}`);
  const adjusted = holmAdjust(comparisons.map((c) => c.pValue));
  return comparisons.map((c, i) => ({ adjustedPValue: adjusted[i], verdict: adjusted[i] <= alpha ? c.verdict : 'not conclusive' }));
}

function compare(where: string, a: CorrectnessBySeed, b: CorrectnessBySeed, options: PairedComparisonOptions): PairedComparison {
  const { confidence, resamples, seed, names } = checkOptions(where, options);
  const { seeds, images, differences, correctA, correctB } = pairedDifferences(where, a, b);

  const perSeedDifferences: number[] = [];
  let aOnly = 0;
  let bOnly = 0;
  for (let s = 0; s < seeds; s++) {
    let sum = 0;
    for (let i = s * images; i < (s + 1) * images; i++) {
      const d = differences[i];
      sum += d;
      if (d > 0) aOnly++;
      else if (d < 0) bOnly++;
    }
    perSeedDifferences.push(sum / images);
  }
  const meanDifference = perSeedDifferences.reduce((x, y) => x + y, 0) / seeds;

  const replicates = bootstrapMeanDifferences(differences, seeds, images, resamples, new SeededRandom(seed));
  replicates.sort();
  const tail = (1 - confidence) / 2;
  const interval: [number, number] = [quantile(replicates, tail), quantile(replicates, 1 - tail)];
  const pValue = signFlipPValue(differences, seeds, images);
  const verdict: Verdict = interval[0] > 0 ? 'A better' : interval[1] < 0 ? 'B better' : 'not conclusive';

  const points = (x: number) => {
    const text = (100 * Math.abs(x)).toFixed(1);
    return Number(text) === 0 ? text : `${x > 0 ? '+' : '-'}${text}`;
  };
  const verdictText = verdict === 'A better' ? `${names.a} better` : verdict === 'B better' ? `${names.b} better` : verdict;
  const summary =
    `${points(meanDifference)} points [${points(interval[0])}, ${points(interval[1])}] ` +
    `(${+(100 * confidence).toFixed(2)}% CI, paired bootstrap over ${seeds} seed${seeds > 1 ? 's' : ''} × ${images} image${images > 1 ? 's' : ''}), ` +
    `${pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toFixed(3)}`}: ${verdictText}`;

  return {
    seeds,
    images,
    accuracy: { a: correctA / (seeds * images), b: correctB / (seeds * images) },
    perSeedDifferences,
    meanDifference,
    interval,
    confidence,
    resamples,
    seed,
    discordant: { aOnly, bOnly },
    pValue,
    verdict,
    summary,
  };
}

function checkOptions(where: string, options: PairedComparisonOptions): Required<PairedComparisonOptions> {
  if (typeof options !== 'object' || options === null) throw new Error(`${where}: options must be an object, but got ${String(options)}`);
  const confidence = options.confidence ?? 0.95;
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new Error(`${where}: options.confidence must be a number in (0, 1), but got ${String(confidence)}`);
  }
  const resamples = options.resamples ?? 2000;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`${where}: options.resamples must be an integer >= 1, but got ${String(resamples)}`);
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new Error(`${where}: options.seed must be a finite number, but got ${String(seed)}`);
  const names = options.names ?? { a: 'A', b: 'B' };
  if (typeof names !== 'object' || names === null || typeof names.a !== 'string' || typeof names.b !== 'string') {
    throw new Error(`${where}: options.names must be { a: string, b: string }, but got ${JSON.stringify(names)}`);
  }
  return { confidence, resamples, seed, names };
}

/** Validates the pair and returns A − B per (seed, image), seed-major, with the counts of right answers. */
function pairedDifferences(
  where: string,
  a: CorrectnessBySeed,
  b: CorrectnessBySeed,
): { seeds: number; images: number; differences: Int8Array; correctA: number; correctB: number } {
  for (const [name, value] of [['a', a], ['b', b]] as const) {
    if (!Array.isArray(value) || value.length === 0) {
      throw new Error(`${where}: ${name} must be a non-empty array of per-seed correctness vectors, but got ${describe(value)}`);
    }
  }
  if (a.length !== b.length) {
    throw new Error(`${where}: a has ${a.length} seed${a.length > 1 ? 's' : ''} but b has ${b.length}; seed s of A is paired with seed s of B`);
  }
  const seeds = a.length;
  const first = a[0];
  if (first === null || typeof first !== 'object' || typeof first.length !== 'number' || first.length === 0) {
    throw new Error(`${where}: a[0] must be a non-empty array of 0/1 values, but got ${describe(first)}`);
  }
  const images = first.length;
  const differences = new Int8Array(seeds * images);
  let correctA = 0;
  let correctB = 0;
  for (let s = 0; s < seeds; s++) {
    for (const [name, vectors] of [['a', a], ['b', b]] as const) {
      const v = vectors[s];
      if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
        throw new Error(`${where}: ${name}[${s}] must be an array of 0/1 values, but got ${describe(v)}`);
      }
      if (v.length !== images) {
        throw new Error(
          `${where}: ${name}[${s}] has ${v.length} images but a[0] has ${images}; every seed of both models must be scored on the same test images, in the same order`,
        );
      }
    }
    const va = a[s];
    const vb = b[s];
    const offset = s * images;
    for (let i = 0; i < images; i++) {
      const x = va[i];
      const y = vb[i];
      if (x !== 0 && x !== 1) throw new Error(`${where}: a[${s}][${i}] must be 0 or 1, but got ${String(x)}`);
      if (y !== 0 && y !== 1) throw new Error(`${where}: b[${s}][${i}] must be 0 or 1, but got ${String(y)}`);
      differences[offset + i] = x - y;
      correctA += x;
      correctB += y;
    }
  }
  return { seeds, images, differences, correctA, correctB };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  return String(value);
}

/**
 * `resamples` bootstrap replicates of the mean difference: seeds drawn with replacement (as multiplicities), one set of
 * image indices drawn with replacement and shared by every drawn seed. Two small typed arrays, reused.
 */
function bootstrapMeanDifferences(differences: Int8Array, seeds: number, images: number, resamples: number, random: SeededRandom): Float64Array {
  const replicates = new Float64Array(resamples);
  const picks = new Int32Array(images);
  const multiplicity = new Int32Array(seeds);
  const total = seeds * images;
  const imageLimit = 2 ** 32 - (2 ** 32 % images);
  for (let r = 0; r < resamples; r++) {
    multiplicity.fill(0);
    for (let k = 0; k < seeds; k++) multiplicity[random.int(seeds)]++;
    // random.int(images), inlined: the same rejection sampling and the same numbers, without a call per draw.
    for (let i = 0; i < images; i++) {
      let value: number;
      do value = random.nextUint32();
      while (value >= imageLimit);
      picks[i] = value % images;
    }
    let sum = 0;
    for (let s = 0; s < seeds; s++) {
      const times = multiplicity[s];
      if (times === 0) continue;
      const offset = s * images;
      let seedSum = 0;
      for (let i = 0; i < images; i++) seedSum += differences[offset + picks[i]];
      sum += times * seedSum;
    }
    replicates[r] = sum / total;
  }
  return replicates;
}

/** Linear interpolation between order statistics (type 7, the default of R and NumPy); `sorted` ascending. */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const low = Math.floor(h);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
}

/**
 * Exact two-sided p-value of the sign-flip test on D_i = Σ_s differences[s, i]: P(|Σ ±D_i| ≥ |Σ D_i|) with independent
 * fair signs. With c_k images of |D_i| = k, Σ ±D_i = Σ_k k (2 B_k − c_k), B_k ~ Binomial(c_k, 1/2): the distribution of
 * U = Σ_k k B_k is the convolution of the scaled binomials, and Σ ±D_i = 2U − Σ_k k c_k.
 */
function signFlipPValue(differences: Int8Array, seeds: number, images: number): number {
  const counts = new Array<number>(seeds + 1).fill(0);
  let observed = 0;
  for (let i = 0; i < images; i++) {
    let d = 0;
    for (let s = 0; s < seeds; s++) d += differences[s * images + i];
    observed += d;
    counts[Math.abs(d)]++;
  }
  if (observed === 0) return 1;
  let maxU = 0;
  for (let k = 1; k <= seeds; k++) maxU += k * counts[k];
  let distribution = new Float64Array(maxU + 1);
  distribution[0] = 1;
  let reach = 0;
  for (let k = 1; k <= seeds; k++) {
    const c = counts[k];
    if (c === 0) continue;
    const pmf = fairBinomialPmf(c);
    const next = new Float64Array(maxU + 1);
    for (let u = 0; u <= reach; u++) {
      const pu = distribution[u];
      if (pu === 0) continue;
      for (let j = 0; j <= c; j++) next[u + k * j] += pu * pmf[j];
    }
    distribution = next;
    reach += k * c;
  }
  const threshold = Math.abs(observed);
  let p = 0;
  for (let u = 0; u <= maxU; u++) if (Math.abs(2 * u - maxU) >= threshold) p += distribution[u];
  return Math.min(1, p);
}

/** Binomial(n, 1/2) probabilities, from logs so that large n does not underflow at the centre; exactly symmetric. */
function fairBinomialPmf(n: number): Float64Array {
  const pmf = new Float64Array(n + 1);
  const logHalfToN = -n * Math.LN2;
  let logChoose = 0;
  for (let j = 0; j <= n >> 1; j++) {
    if (j > 0) logChoose += Math.log((n - j + 1) / j);
    pmf[j] = Math.exp(logChoose + logHalfToN);
    pmf[n - j] = pmf[j];
  }
  return pmf;
}
