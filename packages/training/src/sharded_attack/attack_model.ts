import { asModel, type Bounds, type Model, type ModelLike } from '@ddar/attacks';
import type * as tf from '@tensorflow/tfjs-core';

interface Classifies {
  classify(images: tf.Tensor4D): tf.Tensor2D;
}

function classifies(model: unknown): model is Classifies {
  return typeof model === 'object' && model !== null && typeof (model as Classifies).classify === 'function';
}

function wrapped(model: unknown): model is Model {
  return typeof model === 'object' && model !== null && typeof (model as Model).logits === 'function' && Array.isArray((model as Model).bounds);
}

/** Whether {@link attackModel} can attack `model`: what a module building a worker's model may return. */
export function isAttackable(model: unknown): boolean {
  return (
    typeof model === 'function' ||
    classifies(model) ||
    wrapped(model) ||
    (typeof model === 'object' && model !== null && typeof (model as { predict?: unknown }).predict === 'function')
  );
}

/** What a module building a worker's model must return. */
export const ATTACKABLE = {
  description: 'a model: a function from images to logits, or an object with classify(), logits() or predict()',
  accepts: isAttackable,
};

/**
 * The model the attacks see, within `bounds` (default: a wrapped model's own, else [0, 1]): for a model with
 * `classify` (every @ddar/disentangle model) its inference path, as the bench attacks it; else what `asModel` wraps.
 */
export function attackModel(model: unknown, bounds: Bounds | undefined): Model {
  if (classifies(model)) return asModel((x) => model.classify(x), { bounds: bounds ?? [0, 1] });
  if (wrapped(model)) return bounds === undefined ? model : asModel(model, { bounds });
  return asModel(model as ModelLike, { bounds: bounds ?? [0, 1] });
}
