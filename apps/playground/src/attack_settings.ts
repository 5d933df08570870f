import { FGSM, PGD, type Attack } from '@ddar/attacks';

/** The attacks the playground offers, both L-inf and white-box against the models' inference path. */
export type AttackName = 'fgsm' | 'pgd';

/** What the attack panel's controls set. */
export interface AttackSettings {
  attack: AttackName;
  /** L-inf budget, in pixel units ([0, 1] images). */
  epsilon: number;
  /** PGD's iterations (FGSM takes one step). */
  steps: number;
}

/** PGD's random start draws from this seed, so that a page and a Node.js program get the same adversarials. */
export const PGD_SEED = 1;

/** The robustness curve's budgets: MNIST's usual L-inf range, from the clean accuracy at 0 to 0.3. */
export const CURVE_EPSILONS = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3];

/**
 * Digits per attack call in the robustness curve. The page yields to the browser between calls, so this bounds how long
 * it stays busy at once: PGD-40 on 10 digits at 7 budgets is about 3 000 image passes, a few hundred ms on wasm.
 */
export const CURVE_BATCH = 10;

/** The attack of the settings: FGSM (Goodfellow et al. 2015), or PGD (Madry et al. 2018) with Madry's step size. */
export function attackOf(settings: Pick<AttackSettings, 'attack' | 'steps'>): Attack {
  return settings.attack === 'fgsm' ? new FGSM() : new PGD({ steps: settings.steps, seed: PGD_SEED });
}

export function describeAttack(settings: Pick<AttackSettings, 'attack' | 'steps'>): string {
  return settings.attack === 'fgsm' ? 'FGSM' : `PGD-${settings.steps}`;
}
