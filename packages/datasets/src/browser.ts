// The browser entry (package.json's "browser" condition): the exports of ./index.ts without Node.js built-ins. readIdx
// parses bytes the program fetched; the loaders that read, download or cache files throw, saying what to do instead.
export * from './common.js';
export { readIdx, loadIdxPair } from './files_browser.js';
export type { IdxArray, IdxData, IdxType, ReadIdxOptions } from './idx_format.js';
export { loadMnist, mnistDataDirectory, loadFashionMnist, loadCifar10 } from './files_browser.js';
export { defaultDataDir, downloadFile } from './files_browser.js';
