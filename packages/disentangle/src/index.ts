export { warp } from './warp.js';
export type { DisplacementUnits, WarpBorder, WarpOptions } from './warp.js';
export { appearanceHead, geometricHead, defaultCodeSizes } from './heads.js';
export type { HeadOptions } from './heads.js';
export { appearanceDecoder } from './appearance_decoder.js';
export type { AppearanceDecoderOptions } from './appearance_decoder.js';
export { geometricDecoder } from './geometric_decoder.js';
export type { GeometricDecoderOptions } from './geometric_decoder.js';
export { planDecoder, defaultDecoderWidth } from './decoder_plan.js';
export type { DecoderPlan } from './decoder_plan.js';
export { LayerChain } from './layer_chain.js';
export { DDARModel, DEFAULT_DDAR_LOSS_WEIGHTS } from './ddar_model.js';
export type { DDARCodes, DDARDecoding, DDARModelOptions } from './ddar_model.js';
export { BaselineModel } from './baseline_model.js';
export type { BaselineModelOptions } from './baseline_model.js';
export { AutoencoderRegModel } from './autoencoder_reg_model.js';
export type { AutoencoderRegModelOptions } from './autoencoder_reg_model.js';
export { loadClassifierModel } from './load_classifier_model.js';
export { swapCodes } from './swap_codes.js';
export { METADATA_KEY, MODEL_KINDS } from './classifier_model.js';
export type {
  AutoencoderRegModelConfig,
  BackboneRecord,
  BaselineModelConfig,
  ClassifierModel,
  DDARModelConfig,
  LossTerms,
  LossTermsOptions,
  LossWeights,
  ModelConfig,
  ModelKind,
} from './classifier_model.js';
export type { ModelOptionsBase } from './resolve_backbone.js';
