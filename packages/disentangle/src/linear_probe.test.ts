import { probeClassification, probeRegression } from './linear_probe.js';
import { SeededRandom } from '@ddar/random';

/** rows x columns of uniform numbers in [-1, 1). */
function randomRows(rows: number, columns: number, seed: number): number[][] {
  const random = new SeededRandom(seed);
  return Array.from({ length: rows }, () => Array.from({ length: columns }, () => random.uniform(-1, 1)));
}

describe('probeRegression', () => {
  it('recovers an exact linear function of the features (R² = 1), whatever their scale and offset', () => {
    const features = randomRows(200, 5, 1).map(([a, b, c, d, e]) => [1000 * a + 5, b, 0.001 * c, d - 40, e]);
    const targets = features.map(([a, b, c, d]) => 3 + 0.002 * a - 2 * b + 500 * c + 0.5 * d);
    expect(probeRegression(features, targets).r2).toBeGreaterThan(0.9999);
  });

  it('finds nothing in features independent of the targets (R² near 0 or below)', () => {
    const features = randomRows(400, 5, 2);
    const noise = randomRows(400, 1, 3).map(([v]) => v);
    const { r2 } = probeRegression(features, noise);
    expect(r2).toBeLessThan(0.1);
    expect(r2).toBeGreaterThan(-0.2);
  });

  it('takes a flat row-major matrix, as read from a tensor', () => {
    const rows = randomRows(100, 3, 4);
    const targets = rows.map(([a, , c]) => a - c);
    const flat = { values: Float32Array.from(rows.flat()), shape: [100, 3] as const };
    expect(probeRegression(flat, targets).r2).toBeGreaterThan(0.9999);
  });

  it('copes with constant and duplicated features', () => {
    const features = randomRows(100, 2, 5).map(([a, b]) => [a, a, 7, b]);
    const targets = features.map(([a, , , b]) => a + b);
    expect(probeRegression(features, targets).r2).toBeGreaterThan(0.999);
  });

  it('fits on the first fitFraction of the rows only', () => {
    // The relation flips sign after row 50: fitted on the first half it must fail on the second.
    const features = randomRows(100, 1, 6);
    const targets = features.map(([a], i) => (i < 50 ? a : -a));
    expect(probeRegression(features, targets).r2).toBeLessThan(-1);
    // Fitted on 90 rows of which 40 follow the flipped rule, the score is still poor.
    expect(probeRegression(features, targets, { fitFraction: 0.9 }).r2).toBeLessThan(0.5);
  });

  it('is NaN when the held-out targets do not vary', () => {
    expect(probeRegression(randomRows(10, 2, 7), new Array(10).fill(3)).r2).toBeNaN();
  });

  it('rejects bad inputs with the argument and what it got', () => {
    const rows = randomRows(4, 2, 8);
    expect(() => probeRegression(rows, [1, 2, 3])).toThrow(
      'Error in probeRegression: targets must be an array of 4 numbers (one per feature row), but got 3 values',
    );
    expect(() => probeRegression([[1, 2], [3]], [1, 2])).toThrow('Error in probeRegression: features must be rows of equal length, but row 1 has 1 entries and row 0 has 2');
    expect(() => probeRegression(rows, [1, 2, 3, 4], { fitFraction: 1 })).toThrow(
      'Error in probeRegression: options.fitFraction must be a number in (0, 1), but got 1',
    );
    expect(() => probeRegression({ values: [1, 2, 3], shape: [2, 2] }, [1, 2])).toThrow(
      'Error in probeRegression: features.values must hold rows * columns = 4 numbers, but got 3',
    );
    expect(() => probeRegression([[1], [NaN]], [1, 2])).toThrow('Error in probeRegression: features must be finite, but got NaN at row 1, column 0');
    expect(() => probeRegression([[1]], [1])).toThrow('Error in probeRegression: features must have at least 2 rows (one to fit, one to score), but got 1');
  });
});

describe('probeClassification', () => {
  it('separates linearly separable classes perfectly', () => {
    // Class k sits around the k-th corner of a simplex, well apart from the others.
    const noise = randomRows(300, 3, 9);
    const labels = noise.map((_, i) => i % 3);
    const features = noise.map((row, i) => row.map((v, j) => 0.2 * v + (j === labels[i] ? 2 : 0)));
    expect(probeClassification(features, labels, 3).accuracy).toBe(1);
  });

  it('is near chance on random labels', () => {
    const features = randomRows(600, 5, 10);
    const random = new SeededRandom(11);
    const labels = features.map(() => random.int(4));
    const { accuracy } = probeClassification(features, labels, 4);
    expect(accuracy).toBeGreaterThan(0.15);
    expect(accuracy).toBeLessThan(0.35);
  });

  it('rejects labels outside [0, numClasses)', () => {
    expect(() => probeClassification([[0], [1]], [0, 2], 2)).toThrow('Error in probeClassification: labels[1] must be an integer in [0, 2), but got 2');
    expect(() => probeClassification([[0], [1]], [0, 1], 0)).toThrow('Error in probeClassification: numClasses must be a positive integer, but got 0');
  });
});
