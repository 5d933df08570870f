import * as tf from '@tensorflow/tfjs-core';

/** The valid input range `[low, high]` of a model, e.g. `[0, 1]` for images scaled to the unit interval. */
export type Bounds = readonly [number, number];

/** Any differentiable function from a batch of images `[N, H, W, C]` to logits `[N, numClasses]`. */
export type LogitsFn = (x: tf.Tensor4D) => tf.Tensor2D;

/**
 * Anything with a Keras-style `predict`, e.g. a `tf.LayersModel`. Only this shape is relied on, so
 * @tensorflow/tfjs-layers stays out of this package's dependencies.
 */
export interface PredictsLogits {
  /** Returns logits (or probabilities, see {@link ModelOutput}) `[N, numClasses]` for a batch `[N, H, W, C]`. */
  predict(x: tf.Tensor, config?: unknown): tf.Tensor | tf.Tensor[];
}

/** What `output` the wrapped function returns. Attacks need logits; probabilities are converted with log. */
export type ModelOutput = 'logits' | 'probabilities';

/** A model wrapped once with its bounds, as every attack expects it (see {@link asModel}). */
export interface Model {
  /** Valid input range; attacks clip every adversarial into it. */
  readonly bounds: Bounds;
  /** Logits for a batch; differentiable w.r.t. `x`, so attacks may call it inside `tf.grad`. */
  logits(x: tf.Tensor4D): tf.Tensor2D;
}

/** Anything {@link asModel} can wrap; attacks accept it directly and wrap it with the default bounds `[0, 1]`. */
export type ModelLike = Model | LogitsFn | PredictsLogits;

/** Options for {@link asModel}. */
export interface AsModelOptions {
  /** Valid input range. Default `[0, 1]`. */
  bounds?: Bounds;
  /**
   * Set to `'probabilities'` when the model ends in a softmax: attacks then work on `log(p)`, which
   * are valid logits (softmax(log p) = p). Default `'logits'`.
   */
  output?: ModelOutput;
  /**
   * The input normalization the model was trained with, as Foolbox's `preprocessing`: the wrapped function receives
   * `(x - mean) / std`, while bounds, epsilons and adversarials stay in the pixel space of `x`. `mean` and `std` are
   * each a number (every channel) or one number per channel of the input's last axis. Default: none.
   */
  preprocessing?: Preprocessing;
}

/** Per-channel (or scalar) input normalization, see {@link AsModelOptions.preprocessing}. */
export interface Preprocessing {
  /** Subtracted from the input first. Default 0. */
  mean?: number | readonly number[];
  /** Divides the centred input; every entry > 0. Default 1. */
  std?: number | readonly number[];
}

function isModel(m: unknown): m is Model {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as Model).logits === 'function' &&
    Array.isArray((m as Model).bounds)
  );
}

function isPredictor(m: unknown): m is PredictsLogits {
  return typeof m === 'object' && m !== null && typeof (m as PredictsLogits).predict === 'function';
}

/**
 * Validates a `[low, high]` pair (finite, low < high) and returns it as {@link Bounds}; errors name `where`
 * (e.g. the calling function).
 */
export function checkBounds(where: string, bounds: unknown): Bounds {
  if (!Array.isArray(bounds) || bounds.length !== 2) {
    throw new Error(`${where}: bounds must be a pair [low, high], but got ${JSON.stringify(bounds)}`);
  }
  const [low, high] = bounds as number[];
  if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) {
    throw new Error(`${where}: bounds must be two finite numbers, but got [${low}, ${high}]`);
  }
  if (!(low < high)) {
    throw new Error(`${where}: bounds must satisfy low < high, but got [${low}, ${high}] (inverted or empty)`);
  }
  return [low, high];
}

/** `mean` and `std` validated, and the number of channels they fix (undefined when both are scalars). */
interface CheckedPreprocessing {
  mean: number | number[];
  std: number | number[];
  channels?: number;
}

function checkPreprocessing(preprocessing: unknown): CheckedPreprocessing {
  const where = 'asModel: options.preprocessing';
  if (preprocessing === null || typeof preprocessing !== 'object' || Array.isArray(preprocessing)) {
    throw new Error(`${where} must be an object { mean, std }, but got ${JSON.stringify(preprocessing) ?? String(preprocessing)}`);
  }
  const { mean = 0, std = 1 } = preprocessing as Preprocessing;
  const read = (name: 'mean' | 'std', value: unknown): number | number[] => {
    const positive = name === 'std';
    const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0);
    const what = positive ? 'finite numbers > 0' : 'finite numbers';
    if (typeof value === 'number') {
      if (!ok(value)) throw new Error(`${where}.${name} must be a finite number${positive ? ' > 0' : ''}, but got ${value}`);
      return value;
    }
    if (!Array.isArray(value) || value.length === 0) {
      throw new Error(`${where}.${name} must be a number or a non-empty array of ${what}, one per channel, but got ${JSON.stringify(value) ?? String(value)}`);
    }
    const bad = value.findIndex((v) => !ok(v));
    if (bad >= 0) throw new Error(`${where}.${name}[${bad}] must be one of ${what}, but got ${String(value[bad])}`);
    return [...(value as number[])];
  };
  const checkedMean = read('mean', mean);
  const checkedStd = read('std', std);
  const lengths = [checkedMean, checkedStd].filter((v): v is number[] => Array.isArray(v)).map((v) => v.length);
  if (lengths.length === 2 && lengths[0] !== lengths[1]) {
    throw new Error(`${where}: mean has ${lengths[0]} channels but std has ${lengths[1]}; give both per channel, or one as a number`);
  }
  return { mean: checkedMean, std: checkedStd, channels: lengths[0] };
}

/** `(x - mean) / std` over the last axis; the new tensors go to the caller's tidy or gradient tape, like the model's own. */
function normalize(x: tf.Tensor4D, { mean, std, channels }: CheckedPreprocessing): tf.Tensor4D {
  if (channels !== undefined && x.shape[3] !== channels) {
    throw new Error(
      `model: preprocessing has ${channels} channels (mean and std per channel) but the input has ${x.shape[3]} ` +
        `(shape [${x.shape}]); its last axis must match`,
    );
  }
  const centred = mean === 0 ? x : tf.sub(x, typeof mean === 'number' ? mean : tf.tensor1d(mean));
  return (std === 1 ? centred : tf.div(centred, typeof std === 'number' ? std : tf.tensor1d(std))) as tf.Tensor4D;
}

/**
 * Wraps a logits function, a `tf.LayersModel` (or anything with `.predict`) or an already wrapped
 * model, once, with its input bounds — Foolbox style, so attacks never guess the valid range — and, for a model
 * trained on normalized inputs, with that normalization, so that it is attacked in pixel space.
 * The wrapper checks every output's shape, which turns a model returning the wrong thing into an
 * error naming it instead of a silent broadcast deep inside an attack.
 */
export function asModel(model: ModelLike, options: AsModelOptions = {}): Model {
  if (options === null || typeof options !== 'object') {
    throw new Error(`asModel: options must be an object, but got ${String(options)}`);
  }
  const output = options.output ?? 'logits';
  if (output !== 'logits' && output !== 'probabilities') {
    throw new Error(`asModel: options.output must be 'logits' or 'probabilities', but got '${String(output)}'`);
  }
  const preprocessing = options.preprocessing === undefined ? undefined : checkPreprocessing(options.preprocessing);
  if (isModel(model)) {
    if (options.bounds === undefined && options.output === undefined && preprocessing === undefined) return model;
    // A wrapped model already applies its own normalization inside logits(); a new one is applied before it.
    return asModel((x: tf.Tensor4D) => model.logits(x), {
      bounds: options.bounds ?? model.bounds,
      output,
      ...(options.preprocessing !== undefined ? { preprocessing: options.preprocessing } : {}),
    });
  }
  const bounds = checkBounds('asModel', options.bounds ?? [0, 1]);
  let call: (x: tf.Tensor4D) => tf.Tensor;
  if (typeof model === 'function') {
    call = model;
  } else if (isPredictor(model)) {
    const layered = model as PredictsLogits & { apply?: (x: tf.Tensor, kwargs?: unknown) => unknown };
    // LayersModel.predict splits the batch and runs under tidy; apply() is one plain differentiable call.
    if (typeof layered.apply === 'function' && 'layers' in layered) {
      call = (x) => layered.apply!(x, { training: false }) as tf.Tensor;
    } else {
      call = (x) => {
        const out = model.predict(x);
        if (Array.isArray(out)) {
          throw new Error(`asModel: model.predict returned ${out.length} tensors; expected one logits tensor`);
        }
        return out;
      };
    }
  } else {
    throw new Error(
      `asModel: model must be a function (x) => logits, an object with predict(), or a wrapped model, but got ${
        model === null ? 'null' : typeof model
      }`,
    );
  }
  return {
    bounds,
    logits(x: tf.Tensor4D): tf.Tensor2D {
      if (!(x instanceof tf.Tensor) || x.rank !== 4) {
        throw new Error(
          `model: input must be a rank-4 tensor [N, H, W, C], but got ${
            x instanceof tf.Tensor ? `rank ${x.rank} with shape [${x.shape}]` : typeof x
          }`,
        );
      }
      const out = call(preprocessing === undefined ? x : normalize(x, preprocessing));
      if (!(out instanceof tf.Tensor)) {
        throw new Error(`model: must return a logits tensor, but returned ${Array.isArray(out) ? 'an array' : typeof out}`);
      }
      if (out.rank !== 2 || out.shape[0] !== x.shape[0] || (out.shape[1] ?? 0) < 2) {
        const shape = `[${out.shape}]`;
        out.dispose();
        throw new Error(
          `model: must return logits of shape [N, numClasses] with N = ${x.shape[0]} and numClasses >= 2, but returned shape ${shape}`,
        );
      }
      // Intermediates are left to the caller's tidy (or tf.grad's): disposing them here would cut
      // the gradient tape when the model runs inside tf.grad.
      const logits = out.dtype === 'float32' ? out : tf.cast(out, 'float32');
      if (output === 'probabilities') {
        return tf.log(tf.add(logits, 1e-12)) as tf.Tensor2D;
      }
      return logits as tf.Tensor2D;
    },
  };
}
