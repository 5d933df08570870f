import * as tf from '@tensorflow/tfjs-core';
import type { AttackContext } from './attack.js';
import { asModel, type Bounds, type ModelLike } from './model.js';
import { countClasses } from './ops.js';
import { checkInputs, checkLabels, type Labels } from './validate.js';

/**
 * Validation shared by the bookkeeping-free helpers (`pgdAdversarial`, `fgsmAdversarial`, ...):
 * same checks as `attack.run`, for one batch and one epsilon.
 */
export function prepareHelper(
  where: string,
  modelLike: ModelLike,
  inputs: tf.Tensor4D,
  labels: Labels,
  bounds: Bounds | undefined,
  targets?: Labels,
): AttackContext & { dispose(): void } {
  const model = bounds === undefined ? asModel(modelLike) : asModel(modelLike, { bounds });
  const x = checkInputs(where, inputs, model);
  const n = x.shape[0];
  const numClasses = countClasses(model, x);
  const y = checkLabels(where, 'labels', labels, n, numClasses);
  let t: ReturnType<typeof checkLabels> | undefined;
  try {
    t = targets === undefined ? undefined : checkLabels(where, 'options.targets', targets, n, numClasses);
  } catch (error) {
    y.tensor.dispose();
    throw error;
  }
  return {
    model,
    x,
    labels: y.tensor,
    labelValues: y.values,
    targets: t?.tensor,
    targetValues: t?.values,
    numClasses,
    dispose() {
      y.tensor.dispose();
      t?.tensor.dispose();
    },
  };
}
