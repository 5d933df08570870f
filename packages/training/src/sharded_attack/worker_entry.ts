/** Where the worker script of sharded attacks lives: beside this module, in the built package. */
export function shardedAttackWorkerEntry(): { filename: string | URL; eval: boolean } {
  return { filename: new URL('./worker.js', import.meta.url), eval: false };
}
