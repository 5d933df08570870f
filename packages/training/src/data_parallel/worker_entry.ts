/** Where the worker script of data-parallel training lives: beside this module, in the built package. */
export function dataParallelWorkerEntry(): { filename: string | URL; eval: boolean } {
  return { filename: new URL('./worker.js', import.meta.url), eval: false };
}
