export { asModel, checkBounds } from './model.js';
export type { AsModelOptions, Bounds, LogitsFn, Model, ModelLike, ModelOutput, PredictsLogits, Preprocessing } from './model.js';
export { disposeResults } from './attack.js';
export type { Attack, AttackResult, RunOptions } from './attack.js';
export type { Labels } from './validate.js';
export type { Norm } from './ops.js';
export { FGSM, fgsmAdversarial, fastFgsmAdversarial, fastFgsmStepSize } from './fgsm.js';
export type { FgsmAdversarialOptions, FastFgsmOptions } from './fgsm.js';
export { PGD, pgdAdversarial, madryStepSize } from './pgd.js';
export type { PgdConfig, PgdAdversarialOptions, PgdStepCallback } from './pgd.js';
export { BIM } from './bim.js';
export type { BimConfig } from './bim.js';
export { MIFGSM } from './mifgsm.js';
export type { MiFgsmConfig } from './mifgsm.js';
export { CarliniWagnerL2 } from './cw.js';
export type { CwConfig, CwSearchStepInfo } from './cw.js';
export { APGD, apgdCheckpoints } from './apgd.js';
export type { ApgdConfig, ApgdLoss } from './apgd.js';
export { APGDT } from './apgd_t.js';
export type { ApgdTConfig } from './apgd_t.js';
export { dlrLoss, targetedDlrLoss } from './dlr.js';
export { AutoAttack, autoAttack } from './auto_attack.js';
export type { AutoAttackComponent, AutoAttackConfig, AutoAttackResult } from './auto_attack.js';
export { SquareAttack, squarePSchedule } from './square.js';
export type { SquareConfig, SquareResult } from './square.js';
export { TransferAttack, transferAttack } from './transfer.js';
export type { TransferConfig, TransferResult } from './transfer.js';
export { robustAccuracy } from './robust_accuracy.js';
export { gradientMaskingReport } from './gradient_masking_report.js';
export type {
  AttackAccuracy,
  AttackSpec,
  EvaluationData,
  EvaluationProgress,
  LabeledBatch,
  RobustAccuracyOptions,
  RobustAccuracyReport,
} from './robust_accuracy.js';
export type { GradientMaskingCheck, GradientMaskingOptions, GradientMaskingReport } from './gradient_masking_report.js';
