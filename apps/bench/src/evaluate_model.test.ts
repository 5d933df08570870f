import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import type { ClassifierModel } from '@ddar/disentangle';
import { loadDataset } from './data.js';
import { evaluateModel, evaluateOwn, evaluateWithSource, joinEvaluation, type Evaluation, type EvaluationContext } from './evaluate_model.js';
import { createModel } from './model_factory.js';
import { PROFILES } from './profiles.js';

/** Everything but the wall times, which differ between any two runs. */
function numbersOf(evaluation: Evaluation): unknown {
  return { ...evaluation, attacks: evaluation.attacks.map(({ seconds: _seconds, ...row }) => row) };
}

describe('an evaluation in two parts (what a distributed run does)', () => {
  let test: Dataset;
  let ddar: ClassifierModel;
  let baseline: ClassifierModel;
  let context: EvaluationContext;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    test = await loadDataset('mnist', 'test', 16);
    ddar = createModel({ variant: 'ddar', inputShape: [28, 28, 1], numClasses: 10, width: 0.25, seed: 3 });
    baseline = createModel({ variant: 'baseline', inputShape: [28, 28, 1], numClasses: 10, width: 0.25, seed: 4 });
    context = { profile: PROFILES.smoke, family: 'grayscale', seed: 2, transferSource: { name: 'baseline', model: baseline }, log: () => {} };
  });
  afterAll(() => {
    test.dispose();
    ddar.dispose();
    baseline.dispose();
  });

  it('gives the numbers of one evaluation, whichever part runs first, and frees every tensor', async () => {
    const whole = await evaluateModel(ddar, test, context);
    const before = tf.memory().numTensors;
    // The other order, and other work in between: every attack and check seeds its own generator.
    const sourced = await evaluateWithSource(ddar, test, context);
    await evaluateOwn(baseline, test, { ...context, seed: 7 });
    const own = await evaluateOwn(ddar, test, context);
    expect(tf.memory().numTensors).toBe(before);
    const joined = joinEvaluation(own, sourced);
    expect(numbersOf(joined)).toEqual(numbersOf(whole));
    expect(JSON.stringify(Object.keys(joined))).toBe(JSON.stringify(Object.keys(whole)));

    // The parts split where a local run's second model comes in: the transfer attack (the last attack) and the checks.
    expect(own.attacks.map((a) => a.attack)).not.toContain('transfer');
    expect(sourced.attacks.map((a) => `${a.attack}@${a.epsilon}`)).toEqual(['transfer@0.1', 'transfer@0.3']);
    expect(whole.attacks.slice(-2).map((a) => a.attack)).toEqual(['transfer', 'transfer']);
    expect(Object.keys(whole.perImage.attacks).slice(-2)).toEqual(['transfer@0.1', 'transfer@0.3']);
    expect(sourced.sanity.length).toBeGreaterThan(0);
    expect(own.disentanglement).toBeDefined();
  });

  it('has no transfer attack without a source, as a local run without the baseline', async () => {
    const { transferSource: _source, ...alone } = context;
    const sourced = await evaluateWithSource(ddar, test, alone);
    expect(sourced.attacks).toEqual([]);
    expect(sourced.perImage).toEqual({});
  });
});
