export { reproduce } from './reproduce.js';
export type { ReproduceOptions } from './reproduce.js';
export { PROFILES, profileNamed } from './profiles.js';
export type { Profile, DatasetName } from './profiles.js';
export { renderReport } from './report.js';
export { renderPlots } from './plots.js';
export { imageGrid, labeledImageGrid } from './grids.js';
export type { Results, RunResult, Variant } from './results.js';
