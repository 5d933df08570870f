import type { ImageShape } from '@ddar/backbones';
import { AutoencoderRegModel, BaselineModel, DDARModel, type ClassifierModel } from '@ddar/disentangle';
import type { Variant } from './results.js';

export interface ModelSpec {
  variant: Variant;
  inputShape: ImageShape;
  numClasses: number;
  width: number;
  seed: number;
}

/** Every variant uses the same backbone (chosen by input size) and width, so only the regularizer differs. */
export function createModel(spec: ModelSpec): ClassifierModel {
  const common = {
    inputShape: spec.inputShape,
    numClasses: spec.numClasses,
    seed: spec.seed,
    backboneOptions: { width: spec.width },
  };
  switch (spec.variant) {
    case 'baseline':
    case 'pgd-at':
    case 'baseline+aug':
      return BaselineModel.create(common);
    case 'ae-reg':
      return AutoencoderRegModel.create(common);
    case 'ddar':
    case 'ddar+pgd-at':
    case 'ddar+consistency':
      return DDARModel.create(common);
    case 'ddar-displacement':
      return DDARModel.create({ ...common, geometry: 'displacement' });
  }
}

export function isAdversariallyTrained(variant: Variant): boolean {
  return variant === 'pgd-at' || variant === 'ddar+pgd-at';
}

export function isGeometricallyAugmented(variant: Variant): boolean {
  return variant === 'baseline+aug' || variant === 'ddar+consistency';
}
