/**
 * BIM — the Basic Iterative Method (iterative FGSM), L-inf.
 * A. Kurakin, I. Goodfellow, S. Bengio, "Adversarial examples in the physical world", ICLR workshop 2017
 * (arXiv 1607.02533, 2016).
 *
 *   x_0 = x,   x_{t+1} = Clip_{x, eps}( x_t + alpha * sign(grad_x CE(f(x_t), y)) )
 *
 * with alpha = 1/255 and min(eps*255 + 4, 1.25*eps*255) steps in the paper (for [0,1] images);
 * here alpha = relStepSize * eps. It is PGD without the random start, so it shares pgd.ts's loop.
 */
import { PGD, type PgdConfig } from './pgd.js';

/** {@link PgdConfig} without the random start and restarts, which BIM does not have. Defaults: 10 steps, relStepSize 0.1. */
export type BimConfig = Omit<PgdConfig, 'randomStart' | 'restarts' | 'seed'>;

/** L-inf BIM: deterministic {@link PGD} from the clean input, 10 steps of 0.1 epsilon by default. */
export class BIM extends PGD {
  constructor(config: BimConfig = {}) {
    // Deterministic by construction: no random start, so restarts would repeat the same run.
    super({ relStepSize: 0.1, ...config, randomStart: false, restarts: 1 }, 'BIM', {
      norm: 'linf',
      steps: 10,
      randomStart: false,
      restarts: 1,
      seed: 0,
    });
  }
}
