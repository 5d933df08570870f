import * as tf from '@tensorflow/tfjs-core';
import { DdarAdamStep, type DdarAdamStepAttrs } from '@ddar/backend';

/** The state tfjs-core 4.22's AdamOptimizer keeps, which the fused step reads and updates as its own step would. */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}

function adamInternals(optimizer: tf.Optimizer): AdamInternals | undefined {
  if (!(optimizer instanceof tf.AdamOptimizer)) return undefined;
  const adam = optimizer as unknown as Partial<AdamInternals>;
  const complete =
    typeof adam.learningRate === 'number' &&
    typeof adam.beta1 === 'number' &&
    typeof adam.beta2 === 'number' &&
    typeof adam.epsilon === 'number' &&
    adam.accBeta1 instanceof tf.Variable &&
    adam.accBeta2 instanceof tf.Variable &&
    Array.isArray(adam.accumulatedFirstMoment) &&
    Array.isArray(adam.accumulatedSecondMoment) &&
    typeof adam.incrementIterations === 'function';
  return complete ? (adam as AdamInternals) : undefined;
}

/**
 * Applies `gradients` to `variables` with `optimizer` in one `DdarAdamStep` kernel per variable, when the optimizer is
 * tfjs's Adam and the current backend has that kernel (`@ddar/backend` registers it for wasm); returns false, having
 * done nothing, otherwise. The step is the optimizer's own, bit for bit: the same moments (`getWeights`, so
 * checkpoints are unchanged), bias corrections and iteration count.
 */
export function applyFusedAdam(optimizer: tf.Optimizer, variables: tf.Variable[], gradients: tf.Tensor[]): boolean {
  const adam = adamInternals(optimizer);
  if (adam === undefined || tf.getKernel(DdarAdamStep, tf.getBackend()) === undefined) return false;
  const [accBeta1, accBeta2] = [adam.accBeta1, adam.accBeta2].map((beta) => beta.dataSync()[0]);
  const attrs: DdarAdamStepAttrs = {
    beta1: adam.beta1,
    beta2: adam.beta2,
    epsilon: adam.epsilon,
    learningRate: adam.learningRate,
    // sub(1, accBeta) in float32, as the optimizer computes it.
    oneMinusAccBeta1: Math.fround(1 - accBeta1),
    oneMinusAccBeta2: Math.fround(1 - accBeta2),
  };
  tf.tidy(() => {
    variables.forEach((variable, i) => {
      const firstMoment = (adam.accumulatedFirstMoment[i] ??= {
        originalName: `${variable.name}/m`,
        variable: tf.tidy(() => tf.zerosLike(variable).variable(false)),
      }).variable;
      const secondMoment = (adam.accumulatedSecondMoment[i] ??= {
        originalName: `${variable.name}/v`,
        variable: tf.tidy(() => tf.zerosLike(variable).variable(false)),
      }).variable;
      const [value, first, second] = tf.engine().runKernel(
        DdarAdamStep,
        { value: variable, firstMoment, secondMoment, gradient: gradients[i] },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
      firstMoment.assign(first);
      secondMoment.assign(second);
      variable.assign(value);
    });
    adam.accBeta1.assign(tf.mul(adam.accBeta1, adam.beta1));
    adam.accBeta2.assign(tf.mul(adam.accBeta2, adam.beta2));
  });
  adam.incrementIterations();
  return true;
}
