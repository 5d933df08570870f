/** What the test asks the page to do. */
export interface BrowserCheckOptions {
  /** Passed to initBackend: `auto` lets it choose (webgpu > webgl > wasm > cpu). */
  backend: string;
  /** Training epochs, of three steps each. */
  epochs: number;
}

/** What the page measured, for the test to judge. */
export interface BrowserCheckResult {
  /** The backend initBackend took, and why. */
  backend: string;
  reason: string;
  /** tfjs's WEBGL_VERSION flag: 0 when this browser offers no WebGL. */
  webglVersion: number;
  /** Mean total loss of each epoch. */
  losses: number[];
  steps: number;
  cleanAccuracy: number;
  /** Accuracy under PGD-5 at L-inf epsilon 0.15. */
  robustAccuracy: number;
  /** The models in the browser's storage after the save (tf.io.listModels). */
  stored: string[];
  /** Logits of the test images from the trained model and from the one loaded back from IndexedDB. */
  original: number[];
  reloaded: number[];
  /** The messages of what a browser cannot do: file IO, worker threads. */
  errors: { saveModel: string; dataParallel: string; shardedAttack: string };
  tensorsLeft: number;
  /** Where the time went, for the log. */
  seconds: { initBackend: number; train: number; attack: number; saveAndLoad: number };
}
