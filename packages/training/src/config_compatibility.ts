import { fastFgsmStepSize, madryStepSize } from '@ddar/attacks';
import type { ResolvedTrainingConfig } from './config.js';

/**
 * A checkpoint's config in today's form. Older checkpoints stored `null` for "the model's default loss weights" (now
 * `{}`) and the attack's default step size filled in (now left unset): neither changes the run, so they still resume.
 */
function inTodaysForm(saved: ResolvedTrainingConfig, current: ResolvedTrainingConfig): ResolvedTrainingConfig {
  const upgraded = { ...saved, lossWeights: (saved.lossWeights as ResolvedTrainingConfig['lossWeights'] | null) ?? {} };
  const adversarial = saved.adversarial;
  if (adversarial?.stepSize !== undefined && current.adversarial !== null && current.adversarial.stepSize === undefined) {
    const attackDefault =
      adversarial.method === 'pgd' ? madryStepSize(adversarial.epsilon, adversarial.steps) : fastFgsmStepSize(adversarial.epsilon);
    if (adversarial.stepSize === attackDefault) {
      const { stepSize: _filledIn, ...rest } = adversarial;
      upgraded.adversarial = rest;
    }
  }
  return upgraded;
}

function differences(path: string, saved: unknown, current: unknown, out: string[]): void {
  if (saved !== null && current !== null && typeof saved === 'object' && typeof current === 'object') {
    const keys = new Set([...Object.keys(saved), ...Object.keys(current)]);
    for (const key of [...keys].sort()) {
      differences(
        path === '' ? key : `${path}.${key}`,
        (saved as Record<string, unknown>)[key],
        (current as Record<string, unknown>)[key],
        out,
      );
    }
    return;
  }
  if (saved !== current) {
    out.push(`${path}: checkpoint has ${JSON.stringify(saved) ?? 'nothing'}, now ${JSON.stringify(current) ?? 'nothing'}`);
  }
}

/**
 * Refuses to resume with a configuration that would not continue the same run: every field of the resolved config
 * (optimizer, schedule, batch size, epochs, loss weights, seed, adversarial training, model kind, training data) shapes
 * the trajectory of the weights, so any difference is listed in the error.
 */
export function assertResumable(saved: ResolvedTrainingConfig, current: ResolvedTrainingConfig, directory: string): void {
  const found: string[] = [];
  differences('', inTodaysForm(saved, current), current, found);
  if (found.length > 0) {
    throw new Error(
      `train: cannot resume from ${directory}: the config differs from the checkpoint's (${found.join('; ')}). ` +
        'Use the original config, or another checkpoint.directory to start a new run.',
    );
  }
}
