/**
 * Thrown when a loss term becomes NaN or infinite. The step's update is not applied, so the model in memory holds the
 * weights of the previous step, and the checkpoint directory still holds the last good checkpoint.
 */
export class NonFiniteLossError extends Error {
  constructor(
    /** 1-based optimizer step at which it happened. */
    readonly globalStep: number,
    /** 1-based epoch. */
    readonly epoch: number,
    /** Every term that was NaN or infinite, with its value. */
    readonly terms: Record<string, number>,
    /** The last checkpoint written, if any. */
    readonly lastCheckpoint: string | undefined,
  ) {
    const list = Object.entries(terms)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ');
    super(
      `train: the loss became non-finite at step ${globalStep} (epoch ${epoch}): ${list}. The update was not applied; ` +
        (lastCheckpoint === undefined ? 'no checkpoint was written before it' : `the last good checkpoint is ${lastCheckpoint}`) +
        '. Lower the learning rate or the loss weights.',
    );
    this.name = 'NonFiniteLossError';
  }
}
