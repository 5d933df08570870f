import { AutoencoderRegModel, BaselineModel, DDARModel } from '@ddar/disentangle';
import { denseBackbone } from './dense_backbone.js';

/** The image shape of the synthetic datasets. */
export const SMALL_SHAPE: [number, number, number] = [8, 8, 1];

const common = (seed: number) => ({
  backbone: denseBackbone({ inputShape: SMALL_SHAPE, seed }),
  inputShape: SMALL_SHAPE,
  numClasses: 4,
  seed,
});

/** The three @ddar/disentangle models on a dense backbone, small enough to train in a second. */
export const smallModels = {
  ddar: (seed = 5) => DDARModel.create({ ...common(seed), dA: 8, dG: 4, decoderWidth: 8 }),
  baseline: (seed = 5) => BaselineModel.create(common(seed)),
  aeReg: (seed = 5) => AutoencoderRegModel.create(common(seed)),
};
