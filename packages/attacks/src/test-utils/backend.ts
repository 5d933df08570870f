import { initBackend, type BackendName } from '@ddar/backend';
// tfjs-core registers no gradients on its own; tfjs-layers registers all of them, as a user's app would.
import '@tensorflow/tfjs-layers';

/** Tests run on wasm (fast, and what machines without tfjs-node use) unless DDAR_BACKEND says otherwise. */
export async function useTestBackend(): Promise<void> {
  await initBackend({ backend: (process.env.DDAR_BACKEND as BackendName | undefined) ?? 'wasm', log: false });
}
