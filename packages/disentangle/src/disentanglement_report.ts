import * as tf from '@tensorflow/tfjs-core';
import { transformImages, type AffineTransform } from './affine_images.js';
import type { DisentanglementSubject, SubjectCodes, SubjectDecoding } from './disentanglement_subject.js';
import { probeClassification, probeRegression, type ProbeOptions } from './linear_probe.js';
import { resolveAffineRanges, sampleAffineTransforms, type AffineRanges } from './random_affine_transforms.js';
import { SeededRandom } from '@ddar/random';
import { assertImageBatch, assertPositiveInteger } from './validate.js';

/** Options of {@link disentanglementReport}; the transform ranges default to ±45°, ±3 px and [0.8, 1.2]. */
export interface DisentanglementReportOptions extends AffineRanges {
  /** Seeds every random draw (image order, transforms, probe split). Default 0. */
  seed?: number;
  /** Images per forward pass; the images are split into near-equal batches of at most this many. Default 100. */
  batchSize?: number;
  /** Images in the code-response subset. Default 16. */
  responseImages?: number;
  /** Angles of the code response, evenly spaced from -maxRotationDegrees to +maxRotationDegrees. Default 9. */
  responseSteps?: number;
  /** Split and ridge of the linear probes, see {@link probeRegression}. */
  probe?: ProbeOptions;
  /** Called after every batch. */
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Stops the report between batches; the promise then rejects. */
  signal?: AbortSignal;
}

/** How well a linear probe reads a quantity from each code (R² for transforms, accuracy for the class). */
export interface CodeProbe {
  /** From z_g; null when the probe is undefined (the held-out targets do not vary). */
  fromGeometric: number | null;
  /** From z_a; null as for `fromGeometric`. */
  fromAppearance: number | null;
}

/** Template invariance: how much the template moves when the image is transformed, relative to how much it differs between images. */
export interface TemplateInvariance {
  /** within / between; null when between is 0 (every template the same), where the ratio says nothing. */
  invariance: number | null;
  /** Mean over images of ||T(A x) - T(x)||², the squared norm taken over all H·W·C values. */
  within: number;
  /** Mean over pairs i ≠ j (all pairs within each batch of the shuffled images) of ||T(x_i) - T(x_j)||²; 0 when every template is the same. */
  between: number;
}

/** The disentanglement report: plain JSON numbers, no tensors. */
export interface DisentanglementReport {
  /** How many images were used. */
  images: number;
  /** The settings the numbers were measured with. */
  settings: {
    maxRotationDegrees: number;
    maxShiftPixels: number;
    scaleRange: [number, number];
    seed: number;
    batchSize: number;
  };
  /** MSE(template, x) over every value of every image; null without `decode`. */
  templateError: number | null;
  /** MSE(reconstruction, x); null without `decode`. */
  reconstructionError: number | null;
  /**
   * (templateError - reconstructionError) / templateError: the share of the template's error the warp
   * removes (1: the warp explains all of it, 0: nothing, negative: it hurts). Null without `decode` or
   * when the template is already exact.
   */
  warpGain: number | null;
  /** Null without `decode`. */
  templateInvariance: TemplateInvariance | null;
  /**
   * Held-out linear-probe scores. rotation, shift, scale: R² of the transform's parameter regressed from
   * the codes of transformed images (shift: mean of the R² of dx and of dy). class: accuracy of the label
   * read from the codes of the untransformed images. rotationChange: R² of the angle regressed from how
   * each image's codes moved, z(R x) - z(x): the same rotation probe without the digits' own slant, which
   * a code that measures pose also carries and which the plain probe counts as error.
   */
  probes: { rotation: CodeProbe; shift: CodeProbe; scale: CodeProbe; class: CodeProbe; rotationChange: CodeProbe };
  /**
   * Fraction of swaps (appearance of image i, geometry of image j, with a different label where the
   * batch has one) whose reconstruction `classify` assigns to the label of i. Null without `decode`.
   */
  swapKeepsClass: number | null;
  /**
   * Fraction of pixels where the sampling map (x + dx, y + dy) folds: its Jacobian determinant, by
   * forward differences, is not positive. The last row and column have no forward neighbour and are
   * left out. Null without `decode` or for images narrower or shorter than 2 pixels.
   */
  folding: number | null;
  /** sqrt(mean over pixels of dx² + dy²), in pixels; null without `decode`. */
  fieldRms: number | null;
  /**
   * For a fixed subset of images rotated by each angle: mean over images of ||z(R x) - z(x)|| divided by
   * the mean over pairs of ||z(x_i) - z(x_j)||, for each code. An entry is null when the subset's codes
   * are all equal (nothing to compare against).
   */
  codeResponse: { angles: number[]; appearance: (number | null)[]; geometric: (number | null)[] };
}

// Independent random streams: one quantity's draws never shift another's.
const STREAMS = { order: 1, rotation: 2, shift: 3, scale: 4 } as const;

const OP = 'disentanglementReport';

/**
 * Measures how well a model separates appearance from geometry, with forward passes only:
 * - decoder metrics (when the subject has `decode`): template and reconstruction errors and the warp
 *   gain, template invariance under random similarity transforms, folding and size of the displacement
 *   field, and whether swapping geometric codes keeps the class;
 * - linear probes: can rotation, shift and scale be read from z_g (they should) and from z_a (they
 *   should not), and the class from z_a (it should) and from z_g (ideally not);
 * - the code response: how much each code moves as the image turns.
 *
 * Images are visited in a seeded random order, so pairs are random pairs and the probes' fit and
 * held-out parts are random halves even when the data are sorted by class. The invariance transforms
 * are `sampleAffineTransforms(N, ranges, seed)`, transform i applied to image i.
 *
 * @param images [N, H, W, C] float32 of the subject's input shape, N >= 2.
 * @param labels N integer labels.
 */
export async function disentanglementReport(
  subject: DisentanglementSubject,
  images: tf.Tensor4D,
  labels: readonly number[] | tf.Tensor1D,
  options: DisentanglementReportOptions = {},
): Promise<DisentanglementReport> {
  const settings = resolveSettings(subject, images, options);
  const n = images.shape[0];
  const labelList = readLabels(labels, n);
  const { seed, batchSize } = settings;
  const ranges = resolveAffineRanges(OP, options, 'options.');

  const order = Array.from(SeededRandom.stream(seed, STREAMS.order).permutation(n));
  const draws = drawTransforms(n, ranges, seed);
  const accumulator = new Accumulator(n, subject.decode != null);

  const batchCount = Math.ceil(n / batchSize);
  for (let b = 0; b < batchCount; b++) {
    if (options.signal?.aborted) {
      throw new Error(`Error in ${OP}: cancelled by options.signal after ${Math.round((b * n) / batchCount)} of ${n} images`);
    }
    // Near-equal batches: no batch of one image, which would have no pair.
    const start = Math.round((b * n) / batchCount);
    const end = Math.round(((b + 1) * n) / batchCount);
    const indices = order.slice(start, end);
    measureBatch(subject, images, indices, start, labelList, draws, accumulator);
    options.onProgress?.({ done: end, total: n });
    // Lets a caller's abort or progress handler run between batches.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  const probeOptions = options.probe ?? {};
  const ordered = <T>(values: readonly T[]) => order.map((i) => values[i]);
  const codeResponse = measureCodeResponse(subject, images, order.slice(0, settings.responseImages), ranges.maxRotationDegrees, settings.responseSteps);
  return {
    images: n,
    settings: { ...ranges, scaleRange: [ranges.scaleRange[0], ranges.scaleRange[1]], seed, batchSize },
    ...accumulator.decoderMetrics(),
    probes: {
      rotation: regressionProbe(accumulator.codes.rotated, [ordered(draws.rotation)], probeOptions),
      shift: regressionProbe(accumulator.codes.shifted, [ordered(draws.shiftX), ordered(draws.shiftY)], probeOptions),
      scale: regressionProbe(accumulator.codes.scaled, [ordered(draws.scale)], probeOptions),
      class: classProbe(accumulator.codes.clean, ordered(labelList), probeOptions),
      rotationChange: regressionProbe(
        differenceTable(accumulator.codes.rotated, accumulator.codes.clean),
        [ordered(draws.rotation)],
        probeOptions,
      ),
    },
    codeResponse,
  };
}

interface ResolvedSettings {
  seed: number;
  batchSize: number;
  responseImages: number;
  responseSteps: number;
}

function resolveSettings(subject: DisentanglementSubject, images: tf.Tensor4D, options: DisentanglementReportOptions): ResolvedSettings {
  if (subject == null || typeof subject.encode !== 'function' || typeof subject.classify !== 'function') {
    throw new Error(`Error in ${OP}: subject must have encode and classify methods, but got ${String(subject)}`);
  }
  if (subject.decode != null && typeof subject.decode !== 'function') {
    throw new Error(`Error in ${OP}: subject.decode must be a function or absent, but got ${typeof subject.decode}`);
  }
  assertImageBatch(OP, 'images', images, subject.inputShape);
  if (images.shape[0] < 2) {
    throw new Error(`Error in ${OP}: images must hold at least 2 images (pairs and a probe split need them), but got ${images.shape[0]}`);
  }
  if (options == null || typeof options !== 'object') {
    throw new Error(`Error in ${OP}: options must be an object, but got ${String(options)}`);
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`Error in ${OP}: options.seed must be a finite number, but got ${String(seed)}`);
  }
  const batchSize = options.batchSize ?? 100;
  const responseImages = options.responseImages ?? 16;
  const responseSteps = options.responseSteps ?? 9;
  assertPositiveInteger(OP, 'options.batchSize', batchSize);
  assertPositiveInteger(OP, 'options.responseImages', responseImages);
  assertPositiveInteger(OP, 'options.responseSteps', responseSteps);
  if (batchSize < 2) {
    throw new Error(`Error in ${OP}: options.batchSize must be at least 2 (pairs are drawn within a batch), but got ${batchSize}`);
  }
  if (responseImages < 2) {
    throw new Error(`Error in ${OP}: options.responseImages must be at least 2 (the response is relative to pair distances), but got ${responseImages}`);
  }
  if (responseSteps < 2) {
    throw new Error(`Error in ${OP}: options.responseSteps must be at least 2 (from -max to +max), but got ${responseSteps}`);
  }
  return { seed, batchSize, responseImages, responseSteps };
}

function readLabels(labels: readonly number[] | tf.Tensor1D, n: number): number[] {
  let values: number[];
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1) {
      throw new Error(`Error in ${OP}: labels must be rank 1, but got shape [${labels.shape}]`);
    }
    values = Array.from(labels.dataSync());
  } else if (Array.isArray(labels)) {
    values = [...labels];
  } else {
    throw new Error(`Error in ${OP}: labels must be a number[] or a tf.Tensor1D, but got ${typeof labels}`);
  }
  if (values.length !== n) {
    throw new Error(`Error in ${OP}: labels must hold one label per image (${n}), but got ${values.length}`);
  }
  const bad = values.findIndex((label) => !Number.isInteger(label) || label < 0);
  if (bad >= 0) {
    throw new Error(`Error in ${OP}: labels must be non-negative integers, but got ${values[bad]} at index ${bad}`);
  }
  return values;
}

/** The random transforms of every image, indexed by image (not by visiting order). */
interface TransformDraws {
  invariance: AffineTransform[];
  rotation: number[];
  shiftX: number[];
  shiftY: number[];
  scale: number[];
}

function drawTransforms(n: number, ranges: Required<AffineRanges>, seed: number): TransformDraws {
  const rotation = SeededRandom.stream(seed, STREAMS.rotation);
  const shift = SeededRandom.stream(seed, STREAMS.shift);
  const scale = SeededRandom.stream(seed, STREAMS.scale);
  const { maxRotationDegrees: maxAngle, maxShiftPixels: maxShift, scaleRange } = ranges;
  const shifts = Array.from({ length: n }, () => [shift.uniform(-maxShift, maxShift), shift.uniform(-maxShift, maxShift)]);
  return {
    invariance: sampleAffineTransforms(n, ranges, seed),
    rotation: Array.from({ length: n }, () => rotation.uniform(-maxAngle, maxAngle)),
    shiftX: shifts.map(([dx]) => dx),
    shiftY: shifts.map(([, dy]) => dy),
    scale: Array.from({ length: n }, () => scale.uniform(scaleRange[0], scaleRange[1])),
  };
}

/** Codes of one kind of input for every image, in visiting order, grown as the code sizes become known. */
class CodeTable {
  appearance: Float32Array = new Float32Array(0);
  geometric: Float32Array = new Float32Array(0);
  sizes: [number, number] | null = null;

  constructor(private readonly rows: number) {}

  store(codes: SubjectCodes, firstRow: number, what: string): void {
    const { appearance, geometric } = codes;
    const batch = appearance?.shape?.[0];
    if (!(appearance instanceof tf.Tensor) || !(geometric instanceof tf.Tensor) || appearance.rank !== 2 || geometric.rank !== 2 || geometric.shape[0] !== batch) {
      throw new Error(
        `Error in ${OP}: subject.encode must return { appearance: [N, dA], geometric: [N, dG] }, but got shapes [${appearance?.shape}] and [${geometric?.shape}] for ${what}`,
      );
    }
    if (this.sizes == null) {
      this.sizes = [appearance.shape[1], geometric.shape[1]];
      this.appearance = new Float32Array(this.rows * this.sizes[0]);
      this.geometric = new Float32Array(this.rows * this.sizes[1]);
    } else if (this.sizes[0] !== appearance.shape[1] || this.sizes[1] !== geometric.shape[1]) {
      throw new Error(`Error in ${OP}: subject.encode must return codes of constant sizes [${this.sizes}], but got [${appearance.shape[1]}, ${geometric.shape[1]}]`);
    }
    this.appearance.set(appearance.dataSync(), firstRow * this.sizes[0]);
    this.geometric.set(geometric.dataSync(), firstRow * this.sizes[1]);
  }
}

/** Running sums over batches; every number is Float64, whatever the tensors were. */
class Accumulator {
  readonly codes: { clean: CodeTable; rotated: CodeTable; shifted: CodeTable; scaled: CodeTable };
  values = 0;
  templateSquaredError = 0;
  reconstructionSquaredError = 0;
  withinSum = 0;
  betweenSum = 0;
  betweenPairs = 0;
  swapsKept = 0;
  swaps = 0;
  folded = 0;
  foldingPixels = 0;
  displacementSquared = 0;
  displacementPixels = 0;

  constructor(
    readonly images: number,
    readonly decodes: boolean,
  ) {
    this.codes = { clean: new CodeTable(images), rotated: new CodeTable(images), shifted: new CodeTable(images), scaled: new CodeTable(images) };
  }

  decoderMetrics(): Pick<
    DisentanglementReport,
    'templateError' | 'reconstructionError' | 'warpGain' | 'templateInvariance' | 'swapKeepsClass' | 'folding' | 'fieldRms'
  > {
    if (!this.decodes) {
      return { templateError: null, reconstructionError: null, warpGain: null, templateInvariance: null, swapKeepsClass: null, folding: null, fieldRms: null };
    }
    const templateError = this.templateSquaredError / this.values;
    const reconstructionError = this.reconstructionSquaredError / this.values;
    const within = this.withinSum / this.images;
    const between = this.betweenSum / this.betweenPairs;
    return {
      templateError,
      reconstructionError,
      warpGain: templateError > 0 ? (templateError - reconstructionError) / templateError : null,
      templateInvariance: { invariance: between > 0 ? within / between : null, within, between },
      swapKeepsClass: this.swapsKept / this.swaps,
      folding: this.foldingPixels > 0 ? this.folded / this.foldingPixels : null,
      fieldRms: Math.sqrt(this.displacementSquared / this.displacementPixels),
    };
  }
}

/** Everything one batch contributes; every tensor it makes, or the subject returns, dies with the tidy. */
function measureBatch(
  subject: DisentanglementSubject,
  images: tf.Tensor4D,
  indices: number[],
  firstRow: number,
  labels: readonly number[],
  draws: TransformDraws,
  accumulator: Accumulator,
): void {
  tf.tidy(() => {
    const x = tf.gather(images, tf.tensor1d(indices, 'int32')) as tf.Tensor4D;
    const codes = subject.encode(x);
    const { clean, rotated, shifted, scaled } = accumulator.codes;
    clean.store(codes, firstRow, 'the images');
    const transformed = (transforms: AffineTransform[]) => subject.encode(transformImages(x, transforms));
    rotated.store(transformed(indices.map((i) => ({ rotationDegrees: draws.rotation[i] }))), firstRow, 'the rotated images');
    shifted.store(transformed(indices.map((i) => ({ shiftX: draws.shiftX[i], shiftY: draws.shiftY[i] }))), firstRow, 'the shifted images');
    scaled.store(transformed(indices.map((i) => ({ scale: draws.scale[i] }))), firstRow, 'the scaled images');
    if (subject.decode == null) return;

    const decoded = decodeChecked(subject, codes, x.shape, 'the images');
    const pixels = x.dataSync();
    const template = decoded.template.dataSync();
    const reconstruction = decoded.reconstruction.dataSync();
    accumulator.values += pixels.length;
    accumulator.templateSquaredError += squaredDistance(template, pixels);
    accumulator.reconstructionSquaredError += squaredDistance(reconstruction, pixels);

    const moved = decodeChecked(subject, transformed(indices.map((i) => draws.invariance[i])), x.shape, 'the transformed images');
    accumulator.withinSum += squaredDistance(moved.template.dataSync(), template);
    const b = indices.length;
    // Sum over pairs i < j of ||T_i - T_j||² = b * sum_i ||T_i - mean||², centred in Float64 so equal templates give exactly 0.
    accumulator.betweenSum += b * centredSquaredNorm(template, b);
    accumulator.betweenPairs += (b * (b - 1)) / 2;

    const partners = swapPartners(indices.map((i) => labels[i]));
    const swapped = decodeChecked(
      subject,
      { appearance: codes.appearance, geometric: tf.gather(codes.geometric, tf.tensor1d(partners, 'int32')) },
      x.shape,
      'swapped codes',
    );
    const predicted = tf.argMax(subject.classify(swapped.reconstruction), 1).dataSync();
    indices.forEach((image, row) => {
      if (predicted[row] === labels[image]) accumulator.swapsKept++;
    });
    accumulator.swaps += b;

    const [, h, w] = x.shape;
    const field = decoded.displacement.dataSync();
    accumulator.displacementSquared += squaredDistance(field, new Float32Array(field.length));
    accumulator.displacementPixels += b * h * w;
    const { folded, counted } = countFolds(field, b, h, w);
    accumulator.folded += folded;
    accumulator.foldingPixels += counted;
  });
}

function decodeChecked(subject: DisentanglementSubject, codes: SubjectCodes, shape: number[], what: string): SubjectDecoding {
  const decoded = (subject.decode as NonNullable<DisentanglementSubject['decode']>)(codes);
  const [n, h, w] = shape;
  const expected = { template: shape, reconstruction: shape, displacement: [n, h, w, 2] };
  for (const key of ['template', 'reconstruction', 'displacement'] as const) {
    const tensor = decoded?.[key];
    if (!(tensor instanceof tf.Tensor) || tensor.shape.join() !== expected[key].join()) {
      throw new Error(
        `Error in ${OP}: subject.decode must return ${key} of shape [${expected[key]}], but got ${tensor instanceof tf.Tensor ? `[${tensor.shape}]` : typeof tensor} for ${what}`,
      );
    }
  }
  return decoded;
}

/**
 * For each row, the next row (cyclically) whose label differs, or simply the next row when every label
 * in the batch is the same. The rows are in random order, so these are random pairs.
 */
function swapPartners(labels: number[]): number[] {
  const b = labels.length;
  return labels.map((label, i) => {
    for (let k = 1; k < b; k++) {
      if (labels[(i + k) % b] !== label) return (i + k) % b;
    }
    return (i + 1) % b;
  });
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum;
}

/** sum_i ||row_i - mean row||² over `rows` equal-length rows of a flat array. */
function centredSquaredNorm(values: ArrayLike<number>, rows: number): number {
  const size = values.length / rows;
  let sum = 0;
  for (let p = 0; p < size; p++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += values[r * size + p];
    mean /= rows;
    for (let r = 0; r < rows; r++) sum += (values[r * size + p] - mean) ** 2;
  }
  return sum;
}

/**
 * Pixels (x < W - 1, y < H - 1) where det J <= 0 for the map (x + dx, y + dy), J by forward differences:
 * J = [[1 + ∂x dx, ∂y dx], [∂x dy, 1 + ∂y dy]].
 */
function countFolds(field: ArrayLike<number>, n: number, h: number, w: number): { folded: number; counted: number } {
  let folded = 0;
  const at = (b: number, y: number, x: number, k: number) => field[((b * h + y) * w + x) * 2 + k];
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h - 1; y++) {
      for (let x = 0; x < w - 1; x++) {
        const dx = at(b, y, x, 0);
        const dy = at(b, y, x, 1);
        const jxx = 1 + at(b, y, x + 1, 0) - dx;
        const jxy = at(b, y + 1, x, 0) - dx;
        const jyx = at(b, y, x + 1, 1) - dy;
        const jyy = 1 + at(b, y + 1, x, 1) - dy;
        if (!(jxx * jyy - jxy * jyx > 0)) folded++;
      }
    }
  }
  return { folded, counted: n * Math.max(0, h - 1) * Math.max(0, w - 1) };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Row by row `after - before`: how each image's codes moved under its transform. */
function differenceTable(after: CodeTable, before: CodeTable): CodeTable {
  const difference = new CodeTable(0);
  difference.sizes = after.sizes;
  difference.appearance = after.appearance.map((value, i) => value - before.appearance[i]);
  difference.geometric = after.geometric.map((value, i) => value - before.geometric[i]);
  return difference;
}

function regressionProbe(table: CodeTable, targets: number[][], options: ProbeOptions): CodeProbe {
  const score = (values: Float32Array, size: number) => {
    const r2s = targets.map((target) => probeRegression({ values, shape: [target.length, size] }, target, options).r2);
    return finiteOrNull(r2s.reduce((a, b) => a + b, 0) / r2s.length);
  };
  const [dA, dG] = table.sizes as [number, number];
  return { fromGeometric: score(table.geometric, dG), fromAppearance: score(table.appearance, dA) };
}

function classProbe(table: CodeTable, labels: number[], options: ProbeOptions): CodeProbe {
  const numClasses = labels.reduce((a, b) => Math.max(a, b), 0) + 1;
  const [dA, dG] = table.sizes as [number, number];
  const score = (values: Float32Array, size: number) =>
    finiteOrNull(probeClassification({ values, shape: [labels.length, size] }, labels, numClasses, options).accuracy);
  return { fromGeometric: score(table.geometric, dG), fromAppearance: score(table.appearance, dA) };
}

/** The code response of `indices` (at least 2 of them, fewer if there are fewer images). */
function measureCodeResponse(
  subject: DisentanglementSubject,
  images: tf.Tensor4D,
  indices: number[],
  maxRotationDegrees: number,
  steps: number,
): DisentanglementReport['codeResponse'] {
  const angles = Array.from({ length: steps }, (_, k) => -maxRotationDegrees + (2 * maxRotationDegrees * k) / (steps - 1));
  const appearance: (number | null)[] = [];
  const geometric: (number | null)[] = [];
  tf.tidy(() => {
    const x = tf.gather(images, tf.tensor1d(indices, 'int32')) as tf.Tensor4D;
    const reference = readCodes(subject.encode(x), indices.length);
    const spread = {
      appearance: meanPairDistance(reference.appearance, indices.length),
      geometric: meanPairDistance(reference.geometric, indices.length),
    };
    for (const angle of angles) {
      const turned = readCodes(subject.encode(transformImages(x, indices.map(() => ({ rotationDegrees: angle })))), indices.length);
      const relative = (key: 'appearance' | 'geometric') =>
        spread[key] > 0 ? meanRowDistance(turned[key], reference[key], indices.length) / spread[key] : null;
      appearance.push(relative('appearance'));
      geometric.push(relative('geometric'));
    }
  });
  return { angles, appearance, geometric };
}

function readCodes(codes: SubjectCodes, rows: number): { appearance: Float32Array; geometric: Float32Array } {
  const { appearance, geometric } = codes ?? {};
  if (!(appearance instanceof tf.Tensor) || !(geometric instanceof tf.Tensor) || appearance.shape[0] !== rows || geometric.shape[0] !== rows) {
    throw new Error(
      `Error in ${OP}: subject.encode must return { appearance: [${rows}, dA], geometric: [${rows}, dG] }, but got shapes [${appearance?.shape}] and [${geometric?.shape}] for the code-response images`,
    );
  }
  return { appearance: codes.appearance.dataSync() as Float32Array, geometric: codes.geometric.dataSync() as Float32Array };
}

function rowDistance(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, size: number): number {
  let sum = 0;
  for (let k = 0; k < size; k++) sum += (a[i * size + k] - b[j * size + k]) ** 2;
  return Math.sqrt(sum);
}

/** Mean over rows i of ||a_i - b_i||. */
function meanRowDistance(a: ArrayLike<number>, b: ArrayLike<number>, rows: number): number {
  const size = a.length / rows;
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += rowDistance(a, i, b, i, size);
  return sum / rows;
}

/** Mean over pairs i < j of ||a_i - a_j||. */
function meanPairDistance(a: ArrayLike<number>, rows: number): number {
  const size = a.length / rows;
  let sum = 0;
  for (let i = 0; i < rows; i++) for (let j = i + 1; j < rows; j++) sum += rowDistance(a, i, a, j, size);
  return sum / ((rows * (rows - 1)) / 2);
}
