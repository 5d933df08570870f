// The Node.js entry; a browser bundle gets ./browser.ts, with the same exports (package.json's "browser" condition).
export * from './common.js';
export { initBackend, currentBackend, BACKEND_PREFERENCE } from './init_backend.js';
export type { BackendInfo, BackendName, InitBackendOptions } from './init_backend.js';
export { fileSystem, registerFileSystemRouter, FILE_SCHEME } from './io/file_system.js';
export { writeFileAtomic, writeFileSynced } from './io/atomic_file.js';
export { saveModel, loadModel } from './io/save_load.js';
export type { Saveable } from './io/save_load.js';
