// The browser entry (package.json's "browser" condition): the exports of ./index.ts without Node.js built-ins. Its
// initBackend tries webgpu > webgl > wasm > cpu; the file IO functions throw, saying what to use in a browser.
export * from './common.js';
export { initBackend, currentBackend, BACKEND_PREFERENCE } from './init_backend_browser.js';
export type { BackendInfo, BackendName, InitBackendOptions } from './init_backend_browser.js';
export {
  fileSystem,
  registerFileSystemRouter,
  FILE_SCHEME,
  writeFileAtomic,
  writeFileSynced,
  saveModel,
  loadModel,
} from './io/file_system_browser.js';
export type { Saveable } from './io/file_system_browser.js';
