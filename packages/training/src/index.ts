// The Node.js entry; a browser bundle gets ./browser.ts, with the same exports (package.json's "browser" condition).
export * from './common.js';
export { train } from './train_node.js';
export { ShardedAttackPool, shardedAttack, shardedRobustAccuracy } from './sharded_attack/sharded_attack.js';
export type { ShardedAttackCallOptions } from './sharded_attack/sharded_attack.js';
export { readCheckpoint } from './checkpoint_store.js';
