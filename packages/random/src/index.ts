export { SeededRandom } from './seeded_random.js';
export type { RandomState } from './seeded_random.js';
