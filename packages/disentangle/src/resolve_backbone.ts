import * as tfl from '@tensorflow/tfjs-layers';
import { getBackbone, type Backbone, type BackboneOptions, type ImageShape } from '@ddar/backbones';
import type { BackboneRecord } from './classifier_model.js';
import { assertImageShape, assertPositiveInteger } from './validate.js';

/** Options every model's `create` takes. */
export interface ModelOptionsBase {
  /** A ready backbone. Give this, or `backboneName` (+ `backboneOptions`). */
  backbone?: Backbone;
  /** A registered backbone name. Default: `smallCnn` for 28 x 28 inputs, `resnet20` otherwise. */
  backboneName?: string;
  /** Options for `getBackbone(backboneName, ...)`; `inputShape` and `seed` come from the model options. */
  backboneOptions?: Omit<BackboneOptions, 'inputShape'>;
  /** [H, W, C] of one input image. */
  inputShape: ImageShape;
  /** Number of classes, at least 2; the width of the logits. */
  numClasses: number;
  /** Seed of every weight initializer (backbone included unless backboneOptions.seed says otherwise). */
  seed?: number;
  /** Name of the tfjs-layers model. */
  name?: string;
}

/** Validates the options shared by all models and returns the backbone they describe. */
export function resolveBackbone(op: string, options: ModelOptionsBase): { backbone: Backbone; record: BackboneRecord } {
  if (options == null || typeof options !== 'object') {
    throw new Error(`Error in ${op}: options must be an object, but got ${String(options)}`);
  }
  assertImageShape(op, 'options.inputShape', options.inputShape);
  assertPositiveInteger(op, 'options.numClasses', options.numClasses);
  if (options.numClasses < 2) {
    throw new Error(`Error in ${op}: options.numClasses must be at least 2, but got ${options.numClasses}`);
  }
  if (options.backbone !== undefined && options.backboneName !== undefined) {
    throw new Error(`Error in ${op}: give options.backbone or options.backboneName, not both (got '${options.backbone.name}' and '${options.backboneName}')`);
  }
  let backbone = options.backbone;
  if (backbone === undefined) {
    const [h, w] = options.inputShape;
    const name = options.backboneName ?? (h === 28 && w === 28 ? 'smallCnn' : 'resnet20');
    backbone = getBackbone(name, { seed: options.seed, ...options.backboneOptions, inputShape: options.inputShape });
  } else if (typeof backbone.apply !== 'function') {
    throw new Error(`Error in ${op}: options.backbone must be a Backbone (with apply()), but got ${typeof backbone}`);
  }
  const built = backbone.options.inputShape;
  if (built.some((d, i) => d !== options.inputShape[i])) {
    throw new Error(`Error in ${op}: the backbone was built for input shape [${built}], but options.inputShape is [${options.inputShape}]`);
  }
  return { backbone, record: { name: backbone.name, options: { ...backbone.options } } };
}

/** The symbolic input of a model, named so that saved models read clearly. */
export function imageInput(inputShape: ImageShape): tfl.SymbolicTensor {
  return tfl.input({ shape: [...inputShape], name: 'images' });
}
