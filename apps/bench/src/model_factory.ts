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
    case 'fgsm-at':
    case 'baseline+aug':
      return BaselineModel.create(common);
    case 'ae-reg':
      return AutoencoderRegModel.create(common);
    case 'ddar':
    case 'ddar+pgd-at':
    case 'ddar+fgsm-at':
    case 'ddar+consistency':
      return DDARModel.create(common);
    case 'ddar-displacement':
      return DDARModel.create({ ...common, geometry: 'displacement' });
  }
}

/** How a variant crafts its training adversarials: PGD (Madry et al. 2018), FGSM from a random start (Wong et al. 2020), or not at all. */
export function adversarialTrainingOf(variant: Variant): 'pgd' | 'fgsm-rs' | undefined {
  if (variant === 'pgd-at' || variant === 'ddar+pgd-at') return 'pgd';
  if (variant === 'fgsm-at' || variant === 'ddar+fgsm-at') return 'fgsm-rs';
  return undefined;
}

export function isGeometricallyAugmented(variant: Variant): boolean {
  return variant === 'baseline+aug' || variant === 'ddar+consistency';
}

/** Whether a variant's model has codes for the disentanglement report to measure (AE-reg's through its code split). */
export function hasCodes(variant: Variant): boolean {
  return variant === 'ae-reg' || variant.startsWith('ddar');
}
