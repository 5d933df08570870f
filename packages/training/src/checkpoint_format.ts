// The names that identify a checkpoint on disk: plain data, without Node.js built-ins, so that the browser entry
// exports them too.

/** Marks a `state.json` as a training checkpoint, so another JSON file is rejected with a clear error. */
export const CHECKPOINT_FORMAT = 'ddar-training-checkpoint';
/** Layout version of checkpoints; `readCheckpoint` rejects any other. */
export const CHECKPOINT_VERSION = 1;
/**
 * The pointer file: names the newest checkpoint, replaced atomically once that one is complete and verified. Resuming
 * trusts the newest checkpoint that verifies, so a lost or stale pointer costs nothing.
 */
export const LATEST_FILE = 'latest.json';
