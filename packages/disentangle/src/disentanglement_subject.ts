import * as tf from '@tensorflow/tfjs-core';
import type { ImageShape } from '@ddar/backbones';
import { AutoencoderRegModel } from './autoencoder_reg_model.js';
import type { ClassifierModel } from './classifier_model.js';
import { DDARModel } from './ddar_model.js';
import { defaultCodeSizes } from './heads.js';
import { assertImageShape, assertPositiveInteger } from './validate.js';

/** A pair of codes of a batch: z_a [N, dA] and z_g [N, dG]. */
export interface SubjectCodes {
  appearance: tf.Tensor2D;
  geometric: tf.Tensor2D;
}

/** What a subject's decoders make of a pair of codes. */
export interface SubjectDecoding {
  /** [N, H, W, C]: what the appearance code alone draws. */
  template: tf.Tensor4D;
  /** [N, H, W, 2] (dx, dy) in pixels: output pixel (x, y) samples the template at (x + dx, y + dy). */
  displacement: tf.Tensor4D;
  /** [N, H, W, C]: the template warped by the displacement. */
  reconstruction: tf.Tensor4D;
}

/**
 * A model as the disentanglement report sees it. `DDARModel` is one as it stands (with its default
 * pixel displacement units). Every method is called in inference mode; the report disposes whatever
 * they return.
 */
export interface DisentanglementSubject {
  /** [H, W, C] of one input image. */
  readonly inputShape: ImageShape;
  /** Appearance and geometric codes of images [N, H, W, C]. */
  encode(images: tf.Tensor4D): SubjectCodes;
  /**
   * Template, displacement and reconstruction for a pair of codes, which may come from different
   * images. Absent for models without a template and a warp (e.g. a plain autoencoder's code split):
   * the decoder metrics are then null.
   */
  decode?(codes: SubjectCodes): SubjectDecoding;
  /** Logits [N, numClasses] of images [N, H, W, C]. */
  classify(images: tf.Tensor4D): tf.Tensor2D;
}

/**
 * A subject for a model with one code and no warp (the autoencoder-regularization ablation): the
 * first `appearanceSize` columns of the code stand for z_a, the rest for z_g. It has no `decode`, so
 * only the probes and the code response are measured; they tell whether such a split of an
 * unconstrained code separates anything (it should not, which is the point of the comparison).
 *
 * @param encodeCode Code [N, size] of images [N, H, W, C], size > appearanceSize. Bind methods
 *   (`(x) => model.encodeCode(x)`).
 * @param classify Logits [N, numClasses] of images.
 */
export function codeSplitSubject(
  encodeCode: (images: tf.Tensor4D) => tf.Tensor2D,
  classify: (images: tf.Tensor4D) => tf.Tensor2D,
  inputShape: ImageShape,
  appearanceSize: number,
): DisentanglementSubject {
  const op = 'codeSplitSubject';
  if (typeof encodeCode !== 'function') {
    throw new Error(`Error in ${op}: encodeCode must be a function, but got ${typeof encodeCode}`);
  }
  if (typeof classify !== 'function') {
    throw new Error(`Error in ${op}: classify must be a function, but got ${typeof classify}`);
  }
  assertImageShape(op, 'inputShape', inputShape);
  assertPositiveInteger(op, 'appearanceSize', appearanceSize);
  return {
    inputShape: [...inputShape],
    encode: (images) =>
      tf.tidy(() => {
        const code = encodeCode(images);
        if (!(code instanceof tf.Tensor) || code.rank !== 2 || code.shape[1] <= appearanceSize) {
          const got = code instanceof tf.Tensor ? `shape [${code.shape}]` : typeof code;
          throw new Error(
            `Error in ${op}: encodeCode must return a code [N, size] with size > appearanceSize = ${appearanceSize}, but got ${got}`,
          );
        }
        const [n, size] = code.shape;
        return {
          appearance: tf.slice(code, [0, 0], [n, appearanceSize]),
          geometric: tf.slice(code, [0, appearanceSize], [n, size - appearanceSize]),
        };
      }),
    classify,
  };
}

/**
 * The subject the report measures for one of this package's models: a DDAR model itself; the
 * autoencoder-regularization ablation as a code split at the DDAR default appearance size for its input
 * shape (so that its "z_a" and "z_g" have the sizes of DDAR's); undefined for the baseline, which has
 * no codes to split and nothing to decode.
 */
export function disentanglementSubjectOf(model: ClassifierModel): DisentanglementSubject | undefined {
  if (model instanceof DDARModel) return model;
  if (model instanceof AutoencoderRegModel) {
    const appearanceSize = Math.min(defaultCodeSizes(model.inputShape).dA, model.config.codeSize - 1);
    return codeSplitSubject((x) => model.encode(x), (x) => model.classify(x), model.inputShape, appearanceSize);
  }
  return undefined;
}
