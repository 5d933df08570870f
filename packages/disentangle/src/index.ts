export { warp } from './warp.js';
export type { DisplacementUnits, WarpBorder, WarpOptions } from './warp.js';
export { appearanceHead, geometricHead, defaultCodeSizes, GEOMETRY_KINDS } from './heads.js';
export type { GeometryKind } from './heads.js';
export type { HeadOptions } from './heads.js';
export { appearanceDecoder } from './appearance_decoder.js';
export type { AppearanceDecoderOptions } from './appearance_decoder.js';
export { affineDecoder, geometricDecoder, warpIncrementDecoder } from './geometric_decoder.js';
export type { AffineDecoderOptions, GeometricDecoderOptions, WarpIncrementDecoderOptions } from './geometric_decoder.js';
export { planDecoder, defaultDecoderWidth } from './decoder_plan.js';
export type { DecoderPlan } from './decoder_plan.js';
export { LayerChain } from './layer_chain.js';
export { DDARModel, DEFAULT_DDAR_LOSS_WEIGHTS, DISPLACEMENT_DDAR_LOSS_WEIGHTS } from './ddar_model.js';
export { affineResidual, integralAffineDisplacement, integralGrid, warpIncrements, AFFINE_PARAMETERS } from './integral_warp.js';
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
export { transformImages } from './affine_images.js';
export type { AffineTransform } from './affine_images.js';
export { sampleAffineTransforms } from './random_affine_transforms.js';
export type { AffineRanges } from './random_affine_transforms.js';
export { probeClassification, probeRegression } from './linear_probe.js';
export type { ClassificationProbeResult, FeatureMatrix, ProbeFeatures, ProbeOptions, RegressionProbeResult } from './linear_probe.js';
export { codeSplitSubject, disentanglementSubjectOf } from './disentanglement_subject.js';
export type { DisentanglementSubject, SubjectCodes, SubjectDecoding } from './disentanglement_subject.js';
export { disentanglementReport } from './disentanglement_report.js';
export type { CodeProbe, DisentanglementReport, DisentanglementReportOptions, TemplateInvariance } from './disentanglement_report.js';
export { termGradientNorms, termsWithWeight } from './term_gradient_norms.js';
export type { TermGradientNormsOptions, TermGradientSubject } from './term_gradient_norms.js';
// The weighted terms are @ddar/losses'; re-exported for the callers of termGradientNorms.
export { WEIGHTED_TERMS } from '@ddar/losses';
export type { WeightedTerm } from '@ddar/losses';
