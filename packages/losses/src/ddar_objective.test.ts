import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { ddarObjective, type DDARObjectiveInputs, type DDARObjectiveResult } from './ddar_objective.js';
import { gradientCheck, tensorsLeakedBy } from './test-utils/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

function disposeResult(result: DDARObjectiveResult): void {
  tf.dispose([result.total, ...Object.values(result.terms)]);
}

function read(result: DDARObjectiveResult): Record<string, number> {
  const values: Record<string, number> = { total: result.total.dataSync()[0] };
  for (const [name, term] of Object.entries(result.terms)) values[name] = (term as tf.Scalar).dataSync()[0];
  disposeResult(result);
  return values;
}

describe('ddarObjective', () => {
  // Terms worked out in the per-loss tests:
  //   CE([0, 0], label 0) = ln 2 = 0.6931472
  //   mse((0, 1), (0.5, 0.75)) = 0.15625
  //   displacement (0, 0), (3, 4) on 1 x 2 positions: anisotropic TV = 3.5, mean |D|^2 = 12.5
  let inputs: DDARObjectiveInputs;
  beforeAll(() => {
    inputs = {
      logits: tf.tensor2d([[0, 0]]),
      labels: tf.tensor1d([0], 'int32'),
      input: tf.tensor4d([0, 1], [1, 1, 2, 1]),
      reconstruction: tf.tensor4d([0.5, 0.75], [1, 1, 2, 1]),
      displacement: tf.tensor4d([0, 0, 3, 4], [1, 1, 2, 2]),
    };
  });
  afterAll(() => tf.dispose(Object.values(inputs) as tf.Tensor[]));

  it('weights and sums the terms, reporting each unweighted', () => {
    const objective = ddarObjective({ reconstruction: 2, smoothness: 0.1, magnitude: 0.01 });
    const values = read(objective(inputs));
    expect(values.classification).toBeCloseTo(Math.log(2), 6);
    expect(values.reconstruction).toBeCloseTo(0.15625, 6);
    expect(values.smoothness).toBeCloseTo(3.5, 6);
    expect(values.magnitude).toBeCloseTo(12.5, 5);
    // ln 2 + 2 * 0.15625 + 0.1 * 3.5 + 0.01 * 12.5 = 1.4806472
    expect(values.total).toBeCloseTo(1.4806472, 5);
  });

  it('passes kinds and label smoothing through to the terms', () => {
    const objective = ddarObjective({
      classification: 0.5,
      reconstruction: 1,
      smoothness: 1,
      reconstructionKind: 'l1',
      tvVariant: 'isotropic',
      labelSmoothing: 1,
    });
    const values = read(objective(inputs));
    // Uniform target over 2 equal logits is still ln 2; l1 = 0.375; isotropic TV = |(3, 4)| / 2 = 2.5.
    expect(values.classification).toBeCloseTo(Math.log(2), 6);
    expect(values.reconstruction).toBeCloseTo(0.375, 6);
    expect(values.smoothness).toBeCloseTo(2.5, 6);
    expect(values.total).toBeCloseTo(0.5 * Math.log(2) + 0.375 + 2.5, 5);
  });

  it('puts the smoothness on the increments of an integral warp, and bias reduction on its mean', () => {
    // Increments (1, 1), (2, 1) on 1 x 2 positions: anisotropic TV = |2 - 1| / 2 = 0.5; their deviation from
    // identity 1 is (0, 0), (1, 0): bias reduction 0.5. Affine residual (0.1, 0, 0, 0, 0, -0.2): 0.05.
    const warpIncrements = tf.tensor4d([1, 1, 2, 1], [1, 1, 2, 2]);
    const affineResidual = tf.tensor2d([[0.1, 0, 0, 0, 0, -0.2]]);
    const objective = ddarObjective({ reconstruction: 1, smoothness: 0.1, magnitude: 0, biasReduction: 2 });
    const values = read(objective({ ...inputs, warpIncrements, affineResidual }));
    expect(values.smoothness).toBeCloseTo(0.5, 6);
    expect(values.magnitude).toBeCloseTo(12.5, 5);
    expect(values.biasReduction).toBeCloseTo(0.55, 6);
    // ln 2 + 0.15625 + 0.1 * 0.5 + 2 * 0.55; the zero-weight magnitude is logged but not added.
    expect(values.total).toBeCloseTo(Math.log(2) + 0.15625 + 0.05 + 1.1, 5);
    // Away from the kinks of |.|: every difference between neighbours is non-zero.
    const uneven = tf.tensor4d([0.8, 1.3, 1.5, 0.9], [1, 1, 2, 2]);
    const gradient = gradientCheck(
      (x) => objective({ ...inputs, warpIncrements: x as tf.Tensor4D, affineResidual }).total,
      uneven,
      1e-3,
    );
    expect(gradient).toBeLessThan(1e-2);
    tf.dispose([warpIncrements, affineResidual, uneven]);
  });

  it('adds the geometric-consistency terms when asked, and requires their inputs', () => {
    // Codes (0, 0), (2, 0) -> (0, 1), (2, 0): invariance 0.5 (see appearance_invariance.test.ts). Cross: mse 0.15625.
    const appearanceCodes = { original: tf.tensor2d([[0, 0], [2, 0]]), transformed: tf.tensor2d([[0, 1], [2, 0]]) };
    const crossReconstruction = { target: inputs.input!, prediction: inputs.reconstruction! };
    const objective = ddarObjective({ reconstruction: 0, smoothness: 0, appearanceInvariance: 2, crossReconstruction: 4 });
    const values = read(objective({ logits: inputs.logits, labels: inputs.labels, appearanceCodes, crossReconstruction }));
    expect(values.appearanceInvariance).toBeCloseTo(0.5, 6);
    expect(values.crossReconstruction).toBeCloseTo(0.15625, 6);
    expect(values.total).toBeCloseTo(Math.log(2) + 1 + 0.625, 5);
    expect(() => objective({ logits: inputs.logits, labels: inputs.labels, crossReconstruction })).toThrow(
      'inputs.appearanceCodes is required because weights.appearanceInvariance is 2',
    );
    expect(() => objective({ logits: inputs.logits, labels: inputs.labels, appearanceCodes })).toThrow(
      'inputs.crossReconstruction is required because weights.crossReconstruction is 4',
    );
    tf.dispose([appearanceCodes.original, appearanceCodes.transformed]);
  });

  it('computes only classification for a baseline without decoders', () => {
    const objective = ddarObjective({ reconstruction: 0, smoothness: 0 });
    const result = objective({ logits: inputs.logits, labels: inputs.labels });
    expect(Object.keys(result.terms)).toEqual(['classification']);
    expect(read(result).total).toBeCloseTo(Math.log(2), 6);
  });

  it('logs zero-weight terms whose tensors are given, but keeps them out of the total', () => {
    const objective = ddarObjective({ reconstruction: 0, smoothness: 0 });
    const poisoned = tf.tensor4d([NaN, 0, 3, 4], [1, 1, 2, 2]);
    const values = read(objective({ ...inputs, displacement: poisoned }));
    expect(Number.isNaN(values.smoothness)).toBe(true);
    expect(Number.isNaN(values.magnitude)).toBe(true);
    expect(values.reconstruction).toBeCloseTo(0.15625, 6);
    expect(values.total).toBeCloseTo(Math.log(2), 6);
    poisoned.dispose();
  });

  it('differentiates the weighted sum (central differences w.r.t. logits and displacement)', () => {
    const objective = ddarObjective({ reconstruction: 2, smoothness: 0.3, magnitude: 0.05 });
    const logits = tf.tensor2d([
      [0.3, -0.8, 1.1],
      [0.9, 0.2, -0.5],
    ]);
    const labels = tf.tensor1d([2, 0], 'int32');
    const input = tf.tensor4d([0.1, 0.9, 0.4, 0.6, 0.3, 0.2, 0.8, 0.7], [2, 2, 2, 1]);
    const reconstruction = tf.tensor4d([0.3, 0.5, 0.2, 0.9, 0.6, 0.35, 0.5, 0.1], [2, 2, 2, 1]);
    const displacement = tf.tensor4d(
      [0.2, -0.7, 0.9, 0.1, -0.4, 0.6, 0.05, -0.3, 0.75, -0.2, 0.35, 0.95, -0.6, 0.45, 0.15, -0.85],
      [2, 2, 2, 2],
    );
    const all = { logits, labels, input, reconstruction, displacement };
    const total = (override: Partial<DDARObjectiveInputs>) => {
      const result = objective({ ...all, ...override });
      tf.dispose(Object.values(result.terms));
      return result.total;
    };
    expect(gradientCheck((x) => total({ logits: x as tf.Tensor2D }), logits)).toBeLessThan(1e-2);
    expect(gradientCheck((x) => total({ displacement: x as tf.Tensor4D }), displacement, 1e-3)).toBeLessThan(1e-2);
    expect(gradientCheck((x) => total({ reconstruction: x as tf.Tensor4D }), reconstruction, 1e-3)).toBeLessThan(
      1e-2,
    );
    tf.dispose([logits, labels, input, reconstruction, displacement]);
  });

  it('works inside optimizer.minimize and lowers the loss', () => {
    const objective = ddarObjective({ reconstruction: 1, smoothness: 0.1 });
    const logits = tf.variable(tf.tensor2d([[0.5, -0.5]]));
    const displacement = tf.variable(tf.tensor4d([0, 0, 3, 4], [1, 1, 2, 2]));
    const optimizer = tf.train.sgd(0.1);
    const step = () =>
      optimizer.minimize(
        () =>
          objective({
            logits: logits as tf.Tensor2D,
            labels: inputs.labels,
            input: inputs.input,
            reconstruction: inputs.reconstruction,
            displacement: displacement as tf.Tensor4D,
          }).total,
        true,
      ) as tf.Scalar;
    const first = step();
    const firstValue = first.dataSync()[0];
    first.dispose();
    expect(tensorsLeakedBy(() => step().dispose())).toBe(0);
    const last = step();
    expect(last.dataSync()[0]).toBeLessThan(firstValue);
    tf.dispose([last, logits, displacement]);
    optimizer.dispose();
  });

  it('rejects invalid weights when the objective is made', () => {
    expect(() => ddarObjective({ reconstruction: -1, smoothness: 0 })).toThrow(
      'Error in ddarObjective: weights.reconstruction must be a finite number >= 0, but got -1',
    );
    expect(() => ddarObjective({ reconstruction: 1, smoothness: NaN })).toThrow('weights.smoothness must be');
    expect(() => ddarObjective({ reconstruction: 1, smoothness: 1, magnitude: Infinity })).toThrow(
      'weights.magnitude must be',
    );
    expect(() => ddarObjective({ reconstruction: 1, smoothness: 1, labelSmoothing: 2 })).toThrow(
      'weights.labelSmoothing must be a finite number in [0, 1], but got 2',
    );
    expect(() => ddarObjective({ reconstruction: 1, smoothness: 1, reconstructionKind: 'l2' as 'l1' })).toThrow(
      "weights.reconstructionKind must be one of 'mse', 'bce', 'l1', but got 'l2'",
    );
    expect(() => ddarObjective({ reconstruction: 1, smoothness: 1, tvVariant: 'x' as 'isotropic' })).toThrow(
      "weights.tvVariant must be one of 'anisotropic', 'isotropic', but got 'x'",
    );
    expect(() => ddarObjective({ classification: 0, reconstruction: 0, smoothness: 0 })).toThrow(
      'at least one of weights.classification, reconstruction, smoothness, magnitude, biasReduction, appearanceInvariance, crossReconstruction must be positive',
    );
  });

  it('rejects missing or mismatched inputs naming them', () => {
    const objective = ddarObjective({ reconstruction: 1, smoothness: 1 });
    const { logits, labels, input, reconstruction, displacement } = inputs;
    expect(() => objective({ logits, labels, displacement })).toThrow(
      'inputs.input and inputs.reconstruction are required because weights.reconstruction is 1, ' +
        'but got no input and no reconstruction',
    );
    expect(() => objective({ logits, labels, input, displacement })).toThrow('but got no reconstruction');
    expect(() => objective({ logits, labels, input, reconstruction })).toThrow(
      'inputs.warpIncrements or inputs.displacement is required because weights.smoothness is 1, but both are missing',
    );
    expect(() => ddarObjective({ reconstruction: 0, smoothness: 0, magnitude: 1 })({ logits, labels })).toThrow(
      'inputs.displacement is required because weights.magnitude is 1',
    );
    expect(() => ddarObjective({ reconstruction: 0, smoothness: 0, biasReduction: 1 })({ logits, labels })).toThrow(
      'inputs.warpIncrements or inputs.affineResidual is required because weights.biasReduction is 1',
    );
    const baseline = ddarObjective({ reconstruction: 0, smoothness: 0 });
    expect(() => baseline({ logits, labels, input })).toThrow(
      'inputs.input and inputs.reconstruction must be given together, but got no reconstruction',
    );
    const twoImages = tf.zeros([2, 1, 2, 1]) as tf.Tensor4D;
    expect(() => objective({ logits, labels, input: twoImages, reconstruction: twoImages, displacement })).toThrow(
      'inputs.input must have batch size 1 (that of logits), but got shape [2, 1, 2, 1]',
    );
    const twoFields = tf.zeros([2, 1, 2, 2]) as tf.Tensor4D;
    expect(() => objective({ logits, labels, input, reconstruction, displacement: twoFields })).toThrow(
      'inputs.displacement must have batch size 1 (that of logits), but got shape [2, 1, 2, 2]',
    );
    expect(() => objective({ logits, labels: tf.tensor1d([5], 'int32'), input, reconstruction, displacement })).toThrow(
      'Error in crossEntropy: labels must be integers in [0, 2)',
    );
    tf.dispose([twoImages, twoFields]);
  });

  it('does not leak tensors across repeated calls', () => {
    const objective = ddarObjective({ reconstruction: 2, smoothness: 0.1, magnitude: 0.01 });
    expect(tensorsLeakedBy(() => disposeResult(objective(inputs)))).toBe(0);
    const gradient = tf.grad((d: tf.Tensor) => {
      const result = objective({ ...inputs, displacement: d as tf.Tensor4D });
      return result.total;
    });
    expect(tensorsLeakedBy(() => gradient(inputs.displacement as tf.Tensor).dispose())).toBe(0);
  });
});
