// The browser entry (package.json's "browser" condition): the exports of ./index.ts without Node.js built-ins. train runs
// on the page's main thread; checkpoints, data-parallel training and sharded attacks need Node.js and say so.
export * from './common.js';
export { train, readCheckpoint } from './train_browser.js';
export { ShardedAttackPool, shardedAttack, shardedRobustAccuracy } from './sharded_attack/sharded_attack_browser.js';
export type { ShardedAttackCallOptions } from './sharded_attack/sharded_attack_browser.js';
