/**
 * Linear probes: how much of a quantity a linear read-out of some features recovers on data it was
 * not fitted on. Plain JavaScript in Float64: the matrices are small (hundreds of rows, at most a few
 * hundred features) and a closed-form solve needs no backend.
 */

/** Features as a row-major matrix, e.g. `{ values: codes.dataSync(), shape: codes.shape }`. */
export interface FeatureMatrix {
  values: ArrayLike<number>;
  /** [rows (samples), columns (features)]. */
  shape: readonly [number, number];
}

/** One row of features per sample, either as arrays or as a flat row-major matrix. */
export type ProbeFeatures = readonly (readonly number[])[] | FeatureMatrix;

/** Options of {@link probeRegression} and {@link probeClassification}. */
export interface ProbeOptions {
  /** The first `round(fitFraction * rows)` samples fit the probe, the rest score it. Default 0.5. */
  fitFraction?: number;
  /**
   * Ridge penalty per fitted sample on the standardized features: the penalty matrix is
   * `ridge * fitRows * I` against a Gram matrix whose diagonal is `fitRows`, so it is relative to the
   * feature variance. Default 1e-3: enough to make collinear or constant features solvable, too little
   * to bias a well-posed fit.
   */
  ridge?: number;
}

/** What {@link probeRegression} measures. */
export interface RegressionProbeResult {
  /**
   * Coefficient of determination on the held-out samples, 1 - SSE / SST with SST taken about the
   * held-out mean: 1 is a perfect read-out, 0 no better than a constant, negative worse than one. NaN
   * when the held-out targets are all equal (SST = 0).
   */
  r2: number;
}

/** What {@link probeClassification} measures. */
export interface ClassificationProbeResult {
  /** Fraction of the held-out samples whose largest score is their label. */
  accuracy: number;
}

/**
 * Fits a ridge regression of `targets` on `features` over the first part of the samples and reports
 * its R² on the rest. Features are standardized with the fitted part's mean and standard deviation
 * (a feature constant there is dropped); the intercept is not penalized.
 */
export function probeRegression(features: ProbeFeatures, targets: readonly number[], options: ProbeOptions = {}): RegressionProbeResult {
  const op = 'probeRegression';
  const matrix = toMatrix(op, features);
  assertTargets(op, targets, matrix.rows);
  const { fitRows, ridge } = resolveOptions(op, options, matrix.rows);
  const predictions = heldOutRidgePredictions(op, matrix, fitRows, [Float64Array.from(targets)], ridge)[0];
  let mean = 0;
  for (let i = fitRows; i < matrix.rows; i++) mean += targets[i];
  mean /= matrix.rows - fitRows;
  let sse = 0;
  let sst = 0;
  for (let i = fitRows; i < matrix.rows; i++) {
    sse += (targets[i] - predictions[i - fitRows]) ** 2;
    sst += (targets[i] - mean) ** 2;
  }
  return { r2: sst > 0 ? 1 - sse / sst : NaN };
}

/**
 * Fits a least-squares (ridge) map from `features` to one-hot `labels` over the first part of the
 * samples and reports how often its argmax is right on the rest. Standardization and ridge as in
 * {@link probeRegression}.
 *
 * @param labels Integers in [0, numClasses).
 */
export function probeClassification(
  features: ProbeFeatures,
  labels: readonly number[],
  numClasses: number,
  options: ProbeOptions = {},
): ClassificationProbeResult {
  const op = 'probeClassification';
  const matrix = toMatrix(op, features);
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`Error in ${op}: numClasses must be a positive integer, but got ${String(numClasses)}`);
  }
  assertTargets(op, labels, matrix.rows, 'labels');
  labels.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new Error(`Error in ${op}: labels[${i}] must be an integer in [0, ${numClasses}), but got ${label}`);
    }
  });
  const { fitRows, ridge } = resolveOptions(op, options, matrix.rows);
  const oneHot = Array.from({ length: numClasses }, (_, k) => Float64Array.from(labels, (label) => (label === k ? 1 : 0)));
  const scores = heldOutRidgePredictions(op, matrix, fitRows, oneHot, ridge);
  let correct = 0;
  for (let i = fitRows; i < matrix.rows; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) {
      if (scores[k][i - fitRows] > scores[best][i - fitRows]) best = k;
    }
    if (best === labels[i]) correct++;
  }
  return { accuracy: correct / (matrix.rows - fitRows) };
}

interface Matrix {
  /** Row-major, rows x columns. */
  values: Float64Array;
  rows: number;
  columns: number;
}

/**
 * Solves the ridge problem for each target on rows [0, fitRows) and predicts it on rows
 * [fitRows, rows): one Cholesky factorization serves all targets.
 */
function heldOutRidgePredictions(op: string, matrix: Matrix, fitRows: number, targets: Float64Array[], ridge: number): Float64Array[] {
  const { values, rows, columns: d } = matrix;
  const mean = new Float64Array(d);
  const inverseStd = new Float64Array(d);
  for (let i = 0; i < fitRows; i++) for (let j = 0; j < d; j++) mean[j] += values[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= fitRows;
  for (let i = 0; i < fitRows; i++) for (let j = 0; j < d; j++) inverseStd[j] += (values[i * d + j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) {
    const std = Math.sqrt(inverseStd[j] / fitRows);
    // Constant on the fitted rows (up to rounding): it carries nothing a probe could learn, so it is zeroed.
    inverseStd[j] = std > 1e-9 * Math.max(1, Math.abs(mean[j])) ? 1 / std : 0;
  }
  const standardized = (i: number, j: number) => (values[i * d + j] - mean[j]) * inverseStd[j];

  const gram = new Float64Array(d * d);
  for (let i = 0; i < fitRows; i++) {
    for (let a = 0; a < d; a++) {
      const za = standardized(i, a);
      if (za === 0) continue;
      for (let b = 0; b <= a; b++) gram[a * d + b] += za * standardized(i, b);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) gram[b * d + a] = gram[a * d + b];
    gram[a * d + a] += ridge * fitRows;
  }
  const factor = choleskyFactor(op, gram, d);

  const solutions = targets.map((target) => {
    let intercept = 0;
    for (let i = 0; i < fitRows; i++) intercept += target[i];
    intercept /= fitRows;
    // The features are centred, so the intercept is the target mean and the weights fit the centred target.
    const rhs = new Float64Array(d);
    for (let i = 0; i < fitRows; i++) {
      const centred = target[i] - intercept;
      for (let j = 0; j < d; j++) rhs[j] += standardized(i, j) * centred;
    }
    return { intercept, weights: choleskySolve(factor, d, rhs) };
  });

  return solutions.map(({ intercept, weights }) => {
    const out = new Float64Array(rows - fitRows);
    for (let i = fitRows; i < rows; i++) {
      let sum = intercept;
      for (let j = 0; j < d; j++) sum += weights[j] * standardized(i, j);
      out[i - fitRows] = sum;
    }
    return out;
  });
}

/** Lower-triangular L with L Lᵀ = A, for a symmetric positive definite A (row-major, d x d). */
function choleskyFactor(op: string, a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j];
      for (let k = 0; k < j; k++) sum -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(sum > 0)) {
          throw new Error(`Error in ${op}: the regularized Gram matrix must be positive definite, but got pivot ${sum} at feature ${i}; use a positive options.ridge`);
        }
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / l[j * d + j];
      }
    }
  }
  return l;
}

/** x with L Lᵀ x = b, by forward then back substitution. */
function choleskySolve(l: Float64Array, d: number, b: Float64Array): Float64Array {
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * d + k] * y[k];
    y[i] = sum / l[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < d; k++) sum -= l[k * d + i] * x[k];
    x[i] = sum / l[i * d + i];
  }
  return x;
}

function toMatrix(op: string, features: ProbeFeatures): Matrix {
  if (Array.isArray(features)) {
    const rows = features.length;
    const columns = rows > 0 && Array.isArray(features[0]) ? features[0].length : 0;
    const values = new Float64Array(rows * columns);
    features.forEach((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== columns) {
        throw new Error(
          `Error in ${op}: features must be rows of equal length, but row ${i} has ${Array.isArray(row) ? row.length : typeof row} entries and row 0 has ${columns}`,
        );
      }
      values.set(row as number[], i * columns);
    });
    return checkFinite(op, { values, rows, columns });
  }
  const matrix = features as FeatureMatrix | null | undefined;
  if (matrix == null || typeof matrix !== 'object' || matrix.values == null || !Array.isArray(matrix.shape)) {
    throw new Error(`Error in ${op}: features must be number[][] or { values, shape: [rows, columns] }, but got ${String(features)}`);
  }
  const [rows, columns] = matrix.shape;
  if (matrix.shape.length !== 2 || !Number.isInteger(rows) || !Number.isInteger(columns) || rows < 0 || columns < 0) {
    throw new Error(`Error in ${op}: features.shape must be [rows, columns] of non-negative integers, but got [${matrix.shape}]`);
  }
  if (matrix.values.length !== rows * columns) {
    throw new Error(`Error in ${op}: features.values must hold rows * columns = ${rows * columns} numbers, but got ${matrix.values.length}`);
  }
  return checkFinite(op, { values: Float64Array.from(matrix.values), rows, columns });
}

function checkFinite(op: string, matrix: Matrix): Matrix {
  if (matrix.columns === 0) {
    throw new Error(`Error in ${op}: features must have at least one column, but got shape [${matrix.rows}, ${matrix.columns}]`);
  }
  const bad = matrix.values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const [row, column] = [Math.floor(bad / matrix.columns), bad % matrix.columns];
    throw new Error(`Error in ${op}: features must be finite, but got ${matrix.values[bad]} at row ${row}, column ${column}`);
  }
  return matrix;
}

function assertTargets(op: string, targets: unknown, rows: number, name = 'targets'): asserts targets is number[] {
  if (!Array.isArray(targets) || targets.length !== rows) {
    const got = Array.isArray(targets) ? `${targets.length} values` : typeof targets;
    throw new Error(`Error in ${op}: ${name} must be an array of ${rows} numbers (one per feature row), but got ${got}`);
  }
  const bad = targets.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) {
    throw new Error(`Error in ${op}: ${name} must be finite numbers, but got ${String(targets[bad])} at index ${bad}`);
  }
}

function resolveOptions(op: string, options: ProbeOptions, rows: number): { fitRows: number; ridge: number } {
  if (options == null || typeof options !== 'object') {
    throw new Error(`Error in ${op}: options must be an object, but got ${String(options)}`);
  }
  const fitFraction = options.fitFraction ?? 0.5;
  const ridge = options.ridge ?? 1e-3;
  if (typeof fitFraction !== 'number' || !(fitFraction > 0 && fitFraction < 1)) {
    throw new Error(`Error in ${op}: options.fitFraction must be a number in (0, 1), but got ${String(fitFraction)}`);
  }
  if (typeof ridge !== 'number' || !Number.isFinite(ridge) || ridge < 0) {
    throw new Error(`Error in ${op}: options.ridge must be a non-negative number, but got ${String(ridge)}`);
  }
  if (rows < 2) {
    throw new Error(`Error in ${op}: features must have at least 2 rows (one to fit, one to score), but got ${rows}`);
  }
  const fitRows = Math.min(rows - 1, Math.max(1, Math.round(fitFraction * rows)));
  return { fitRows, ridge };
}
