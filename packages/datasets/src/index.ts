// The Node.js entry; a browser bundle gets ./browser.ts, with the same exports (package.json's "browser" condition).
export * from './common.js';
export { readIdx } from './idx_reader.js';
export type { IdxArray, IdxData, IdxType, ReadIdxOptions } from './idx_reader.js';
export { loadIdxPair } from './idx_pair.js';
export { loadMnist, mnistDataDirectory } from './mnist.js';
export { loadFashionMnist } from './fashion_mnist.js';
export { loadCifar10 } from './cifar10.js';
export { defaultDataDir } from './data_dir.js';
export { downloadFile } from './download.js';
