import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { transformImages } from './affine_images.js';
import type { DDARModel } from './ddar_model.js';
import { disentanglementReport, type DisentanglementReport } from './disentanglement_report.js';
import { codeSplitSubject, type DisentanglementSubject, type SubjectCodes, type SubjectDecoding } from './disentanglement_subject.js';
import { sampleAffineTransforms } from './random_affine_transforms.js';

// Compile-time only: the DDAR model is a subject as it stands.
export const ddarModelIsASubject = (model: DDARModel): DisentanglementSubject => model;

const H = 10;
const W = 10;
const SHAPE: [number, number, number] = [H, W, 1];

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

function flatten(images: tf.Tensor4D): tf.Tensor2D {
  return tf.reshape(images, [images.shape[0], -1]);
}

function unflatten(code: tf.Tensor2D): tf.Tensor4D {
  return tf.reshape(code, [code.shape[0], H, W, 1]);
}

/** Logits that pick class k for an image whose mean is near classMean(k). */
function classifyByMean(images: tf.Tensor4D): tf.Tensor2D {
  const means = tf.reshape(tf.mean(images, [1, 2, 3]), [-1, 1]);
  const centres = tf.tensor2d([[classMean(0), classMean(1), classMean(2), classMean(3)]]);
  return tf.neg(tf.square(tf.sub(means, centres))) as tf.Tensor2D;
}

function classMean(label: number): number {
  return (label + 1) / 5;
}

/**
 * A hand-made subject: z_a and z_g are whatever `codes` says, and `decode` (if given) maps codes to
 * template, displacement and reconstruction however the test needs.
 */
function subject(
  codes: (images: tf.Tensor4D) => SubjectCodes,
  decode?: (codes: SubjectCodes) => SubjectDecoding,
): DisentanglementSubject {
  return { inputShape: SHAPE, encode: codes, decode, classify: classifyByMean };
}

/** z_a and z_g both carry the whole image. */
const imageInBothCodes = (images: tf.Tensor4D): SubjectCodes => ({ appearance: flatten(images), geometric: flatten(images) });

const zeroField = (n: number) => tf.zeros([n, H, W, 2]) as tf.Tensor4D;

/** A field whose every pixel is `fieldAt(x, y)`. */
function field(n: number, fieldAt: (x: number, y: number) => [number, number]): tf.Tensor4D {
  const values: number[] = [];
  for (let b = 0; b < n; b++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) values.push(...fieldAt(x, y));
  return tf.tensor4d(values, [n, H, W, 2]);
}

function withField(fieldAt: (x: number, y: number) => [number, number]): DisentanglementSubject {
  return subject(imageInBothCodes, ({ appearance }) => {
    const template = unflatten(appearance);
    return { template, displacement: field(appearance.shape[0], fieldAt), reconstruction: template };
  });
}

/**
 * Image i of class k = i % 4: constant at classMean(k) plus a brighter row k and a small random texture.
 * `classifyByMean` reads its mean (each row adds the same 0.05); a linear probe can also read its row,
 * which separates the classes linearly (the mean alone would not: the middle classes never win a
 * least-squares fit of one-hot targets on one number).
 */
function classImages(n: number, seed = 1): { images: tf.Tensor4D; labels: number[] } {
  const labels = Array.from({ length: n }, (_, i) => i % 4);
  const images = tf.tidy(() => {
    const rows = tf.reshape(tf.oneHot(tf.tensor1d(labels, 'int32'), H), [n, H, 1, 1]);
    const texture = tf.randomUniform([n, H, W, 1], -0.02, 0.02, 'float32', seed);
    return tf.add(tf.add(texture, tf.mul(rows, 0.5)), tf.tensor4d(labels.map(classMean), [n, 1, 1, 1]));
  }) as tf.Tensor4D;
  return { images, labels };
}

/** Sum of squares of a tensor, disposing it. */
function sumOfSquares(t: tf.Tensor): number {
  const value = tf.tidy(() => tf.sum(tf.square(t)).dataSync()[0]);
  t.dispose();
  return value;
}

describe('disentanglementReport', () => {
  let images: tf.Tensor4D;
  let labels: number[];
  beforeAll(() => ({ images, labels } = classImages(24)));
  afterAll(() => images.dispose());

  it('measures a template that is half the input with no warp: warp gain 0, no folding, invariance as computed by hand', async () => {
    const halfInput = subject(imageInBothCodes, ({ appearance }) => {
      const template = tf.mul(unflatten(appearance), 0.5) as tf.Tensor4D;
      return { template, displacement: zeroField(appearance.shape[0]), reconstruction: template };
    });
    const report = await disentanglementReport(halfInput, images, labels, { seed: 5 });

    const squares = sumOfSquares(tf.mul(images, 0.5));
    expect(report.templateError).toBeCloseTo(squares / (24 * H * W), 6);
    expect(report.reconstructionError).toBe(report.templateError);
    expect(report.warpGain).toBe(0);
    expect(report.folding).toBe(0);
    expect(report.fieldRms).toBe(0);

    // Independently: T(x) = x / 2, transform i applied to image i, all 24 * 23 / 2 pairs (one batch).
    const moved = transformImages(images, sampleAffineTransforms(24, {}, 5));
    const within = (0.25 * sumOfSquares(tf.sub(moved, images))) / 24;
    moved.dispose();
    const rows = tf.tidy(() => flatten(images).arraySync());
    let between = 0;
    for (let i = 0; i < 24; i++) {
      for (let j = i + 1; j < 24; j++) between += 0.25 * rows[i].reduce((s, v, k) => s + (v - rows[j][k]) ** 2, 0);
    }
    between /= (24 * 23) / 2;
    const invariance = report.templateInvariance!;
    expect(invariance.within).toBeCloseTo(within, 4);
    expect(invariance.between).toBeCloseTo(between, 4);
    expect(invariance.invariance).toBeCloseTo(within / between, 4);
  });

  it('gives warp gain null when the template is already exact', async () => {
    const exact = subject(imageInBothCodes, ({ appearance }) => {
      const template = unflatten(appearance);
      return { template, displacement: zeroField(appearance.shape[0]), reconstruction: template };
    });
    const report = await disentanglementReport(exact, images, labels);
    expect(report.templateError).toBe(0);
    expect(report.reconstructionError).toBe(0);
    expect(report.warpGain).toBeNull();
  });

  it('gives warp gain 1 when the warp alone makes the reconstruction exact from a blank template', async () => {
    const allWarp = subject(imageInBothCodes, ({ appearance }) => ({
      template: tf.zerosLike(unflatten(appearance)),
      displacement: zeroField(appearance.shape[0]),
      reconstruction: unflatten(appearance),
    }));
    const report = await disentanglementReport(allWarp, images, labels);
    expect(report.warpGain).toBe(1);
    expect(report.reconstructionError).toBe(0);
    expect(report.templateError).toBeCloseTo(sumOfSquares(images.clone()) / (24 * H * W), 6);
  });

  it('finds a template that ignores its input perfectly invariant, but has nothing to compare it with (invariance null)', async () => {
    const fixedTemplate = subject(imageInBothCodes, ({ appearance }) => {
      const n = appearance.shape[0];
      const template = tf.tile(tf.reshape(tf.linspace(0, 1, H * W), [1, H, W, 1]), [n, 1, 1, 1]) as tf.Tensor4D;
      return { template, displacement: zeroField(n), reconstruction: template };
    });
    const report = await disentanglementReport(fixedTemplate, images, labels);
    expect(report.templateInvariance).toEqual({ invariance: null, within: 0, between: 0 });
  });

  it('finds a template drawn from a transform-invariant appearance code invariant (ratio near 0)', async () => {
    // Each image is one constant value; its maximum survives any of the transforms (some pixel still
    // reads the inside), so z_a = max is invariant and the template follows it, yet differs between images.
    const values = Array.from({ length: 24 }, (_, i) => 0.1 + 0.03 * i);
    const flat = tf.tidy(() => tf.mul(tf.ones([24, H, W, 1]), tf.tensor4d(values, [24, 1, 1, 1]))) as tf.Tensor4D;
    const byMaximum = subject(
      (x) => ({ appearance: tf.max(flatten(x), 1, true), geometric: tf.zeros([x.shape[0], 1]) }),
      ({ appearance }) => {
        const template = tf.mul(tf.ones([appearance.shape[0], H, W, 1]), tf.reshape(appearance, [-1, 1, 1, 1])) as tf.Tensor4D;
        return { template, displacement: zeroField(appearance.shape[0]), reconstruction: template };
      },
    );
    const report = await disentanglementReport(byMaximum, flat, labels);
    const { invariance, within, between } = report.templateInvariance!;
    expect(between).toBeGreaterThan(1);
    expect(within).toBeLessThan(1e-9);
    expect(invariance).toBeLessThan(1e-9);
    flat.dispose();
  });

  it('reports no folding and the field size for a constant shift', async () => {
    const report = await disentanglementReport(withField(() => [1.5, -0.5]), images, labels);
    expect(report.folding).toBe(0);
    expect(report.fieldRms).toBeCloseTo(Math.sqrt(1.5 ** 2 + 0.5 ** 2), 6);
  });

  it('reports every pixel folded for a mirror, and none for two mirrors (a half turn)', async () => {
    const mirror = await disentanglementReport(withField((x) => [W - 1 - 2 * x, 0]), images, labels);
    expect(mirror.folding).toBe(1);
    const halfTurn = await disentanglementReport(withField((x, y) => [W - 1 - 2 * x, H - 1 - 2 * y]), images, labels);
    expect(halfTurn.folding).toBe(0);
  });

  it('counts a swap as kept when the reconstruction follows the appearance code, and lost when it follows the geometric code', async () => {
    const drawnFrom = (key: 'appearance' | 'geometric') =>
      subject(imageInBothCodes, (codes) => {
        const reconstruction = unflatten(codes[key]);
        return { template: reconstruction, displacement: zeroField(reconstruction.shape[0]), reconstruction };
      });
    expect((await disentanglementReport(drawnFrom('appearance'), images, labels)).swapKeepsClass).toBe(1);
    // Every batch holds four classes, so every partner has a different label.
    expect((await disentanglementReport(drawnFrom('geometric'), images, labels, { batchSize: 8 })).swapKeepsClass).toBe(0);
  });

  it('reads the class from the code that carries it and not from a constant one', async () => {
    const { images: many, labels: manyLabels } = classImages(80, 2);
    const appearanceOnly = subject((x) => ({ appearance: flatten(x), geometric: tf.zeros([x.shape[0], 1]) }));
    const report = await disentanglementReport(appearanceOnly, many, manyLabels);
    expect(report.probes.class.fromAppearance).toBe(1);
    expect(report.probes.class.fromGeometric!).toBeLessThan(0.5);
    many.dispose();
  });

  it('reads rotation, shift and scale from a code that sees the pixels, and not from a constant code', async () => {
    // One off-centre blob, the same in every image: the only thing that varies is the transform.
    const blob = tf.tidy(() => {
      const ys = tf.reshape(tf.linspace(0, H - 1, H), [H, 1]);
      const xs = tf.reshape(tf.linspace(0, W - 1, W), [1, W]);
      const r2 = tf.add(tf.square(tf.sub(xs, 6)), tf.square(tf.sub(ys, 3.5)));
      return tf.tile(tf.reshape(tf.exp(tf.div(r2, -4)), [1, H, W, 1]), [200, 1, 1, 1]);
    }) as tf.Tensor4D;
    const pixelsInGeometry = subject((x) => ({ appearance: tf.zeros([x.shape[0], 1]), geometric: flatten(x) }));
    const report = await disentanglementReport(pixelsInGeometry, blob, new Array(200).fill(0), { maxRotationDegrees: 30, maxShiftPixels: 1.5 });
    for (const quantity of ['rotation', 'shift', 'scale'] as const) {
      expect(report.probes[quantity].fromGeometric!).toBeGreaterThan(0.8);
      expect(report.probes[quantity].fromAppearance!).toBeLessThanOrEqual(0);
    }
    blob.dispose();
  });

  it('reads the applied rotation from code changes even when each image has a pose of its own', async () => {
    // A blob on a circle around the centre, at a different angle in every image (the digits' own slant). z_g is the
    // blob's angle: a perfect pose code. The plain probe counts each image's own angle as error; the change does not.
    const count = 200;
    const ownAngles = Array.from({ length: count }, (_, i) => -40 + 80 * ((i * 0.6180339) % 1));
    const blobs = tf.tidy(() => {
      const ys = tf.reshape(tf.linspace(0, H - 1, H), [1, H, 1]);
      const xs = tf.reshape(tf.linspace(0, W - 1, W), [1, 1, W]);
      const radians = tf.mul(tf.tensor1d(ownAngles), Math.PI / 180);
      const cx = tf.reshape(tf.add(4.5, tf.mul(3, tf.cos(radians))), [count, 1, 1]);
      const cy = tf.reshape(tf.sub(4.5, tf.mul(3, tf.sin(radians))), [count, 1, 1]);
      const r2 = tf.add(tf.square(tf.sub(xs, cx)), tf.square(tf.sub(ys, cy)));
      return tf.reshape(tf.exp(tf.div(r2, -1.5)), [count, H, W, 1]);
    }) as tf.Tensor4D;
    const blobAngle = (x: tf.Tensor4D): tf.Tensor2D =>
      tf.tidy(() => {
        const mass = tf.sum(x, [1, 2, 3]);
        const xs = tf.reshape(tf.sub(tf.linspace(0, W - 1, W), 4.5), [1, 1, W, 1]);
        const ys = tf.reshape(tf.sub(tf.linspace(0, H - 1, H), 4.5), [1, H, 1, 1]);
        const mx = tf.div(tf.sum(tf.mul(x, xs), [1, 2, 3]), mass);
        const my = tf.div(tf.sum(tf.mul(x, ys), [1, 2, 3]), mass);
        return tf.reshape(tf.mul(tf.atan2(tf.neg(my), mx), 180 / Math.PI), [-1, 1]);
      });
    const poseInGeometry = subject((x) => ({ appearance: tf.zeros([x.shape[0], 1]), geometric: blobAngle(x) }));
    const report = await disentanglementReport(poseInGeometry, blobs, new Array(count).fill(0), { maxRotationDegrees: 45 });
    expect(report.probes.rotationChange.fromGeometric!).toBeGreaterThan(0.95);
    // Own angles spread over ±40°, applied ones over ±45°: about half the variance of the pose is not the transform's.
    expect(report.probes.rotation.fromGeometric!).toBeLessThan(0.75);
    expect(report.probes.rotation.fromGeometric!).toBeGreaterThan(0.3);
    expect(report.probes.rotationChange.fromAppearance!).toBeLessThanOrEqual(0);
    blobs.dispose();
  });

  it('measures a code split with no decoder: decoder metrics null, probes and code response present', async () => {
    // z_a: two constant columns; z_g: the pixels.
    const split = codeSplitSubject(
      (x) => tf.concat([tf.zeros([x.shape[0], 2]), flatten(x)], 1),
      classifyByMean,
      SHAPE,
      2,
    );
    const report = await disentanglementReport(split, images, labels, { maxRotationDegrees: 40 });
    expect(report).toMatchObject({
      images: 24,
      templateError: null,
      reconstructionError: null,
      warpGain: null,
      templateInvariance: null,
      swapKeepsClass: null,
      folding: null,
      fieldRms: null,
    });
    const { angles, appearance, geometric } = report.codeResponse;
    expect(angles).toEqual([-40, -30, -20, -10, 0, 10, 20, 30, 40]);
    expect(appearance).toEqual(new Array(9).fill(null));
    expect(geometric[4]).toBe(0);
    geometric.forEach((value, k) => k !== 4 && expect(value!).toBeGreaterThan(0));
    expect(geometric[8]!).toBeGreaterThan(geometric[5]!);
    expect(typeof report.probes.rotation.fromGeometric).toBe('number');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('is reproducible for a seed, and the seed matters', async () => {
    const split = codeSplitSubject((x) => flatten(x), classifyByMean, SHAPE, 50);
    const first = await disentanglementReport(split, images, labels, { seed: 3 });
    expect(await disentanglementReport(split, images, labels, { seed: 3 })).toEqual(first);
    const other: DisentanglementReport = await disentanglementReport(split, images, labels, { seed: 4 });
    expect(other.probes).not.toEqual(first.probes);
  });

  it('leaves no tensor behind, with or without a decoder, in several batches', async () => {
    const withDecoder = withField(() => [0.5, 0.5]);
    const withoutDecoder = codeSplitSubject((x) => flatten(x), classifyByMean, SHAPE, 10);
    const labelTensor = tf.tensor1d(labels, 'int32');
    const before = tf.memory().numTensors;
    await disentanglementReport(withDecoder, images, labelTensor, { batchSize: 7 });
    await disentanglementReport(withoutDecoder, images, labelTensor, { batchSize: 7 });
    expect(tf.memory().numTensors).toBe(before);
    labelTensor.dispose();
  });

  it('reports progress per batch and stops when aborted', async () => {
    const split = codeSplitSubject((x) => flatten(x), classifyByMean, SHAPE, 10);
    const progress: number[] = [];
    await disentanglementReport(split, images, labels, { batchSize: 10, onProgress: ({ done, total }) => progress.push(done / total) });
    expect(progress).toEqual([8 / 24, 16 / 24, 1]);
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const run = disentanglementReport(split, images, labels, {
      batchSize: 10,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toThrow('Error in disentanglementReport: cancelled by options.signal after 8 of 24 images');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad arguments with the argument and what it got', async () => {
    const split = codeSplitSubject((x) => flatten(x), classifyByMean, SHAPE, 10);
    const wrong = tf.zeros([3, 4, 4, 1]) as tf.Tensor4D;
    await expect(disentanglementReport(split, wrong, [0, 1, 2])).rejects.toThrow(
      'Error in disentanglementReport: images must have shape [N, 10, 10, 1], but got shape [3,4,4,1]',
    );
    await expect(disentanglementReport(split, images, [0, 1])).rejects.toThrow(
      'Error in disentanglementReport: labels must hold one label per image (24), but got 2',
    );
    await expect(disentanglementReport(split, images, labels, { batchSize: 1 })).rejects.toThrow(
      'Error in disentanglementReport: options.batchSize must be at least 2 (pairs are drawn within a batch), but got 1',
    );
    await expect(disentanglementReport(split, images, labels, { scaleRange: [1.2, 0.8] })).rejects.toThrow(
      'Error in disentanglementReport: options.scaleRange must be [low, high] with 0 < low <= high, but got [1.2,0.8]',
    );
    expect(() => codeSplitSubject((x) => flatten(x), classifyByMean, SHAPE, 0)).toThrow(
      'Error in codeSplitSubject: appearanceSize must be a positive integer, but got 0',
    );
    const tooNarrow = codeSplitSubject((x) => flatten(x), classifyByMean, SHAPE, H * W);
    await expect(disentanglementReport(tooNarrow, images, labels)).rejects.toThrow(
      'Error in codeSplitSubject: encodeCode must return a code [N, size] with size > appearanceSize = 100, but got shape [24,100]',
    );
    wrong.dispose();
  });
});
