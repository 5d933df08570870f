import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { loadClassifierModel } from '@ddar/disentangle';
import { importModule } from './import_module.js';
import type { ReplicaSource } from './replica_source.js';

/** What the caller needs the built model to be: a test, and its description for the error when it is not. */
export interface ReplicaExpectation {
  /** E.g. `a model with classify() and lossTerms()`. */
  description: string;
  accepts(model: unknown): boolean;
}

/**
 * Builds a worker's copy of a model from its {@link ReplicaSource} (in the worker thread, after the backend is
 * initialized). A module's export may return anything; `expected` says what the caller can use.
 */
export async function buildReplica(source: ReplicaSource, expected: ReplicaExpectation): Promise<unknown> {
  if (source.kind === 'artifacts') {
    return loadClassifierModel(tf.io.fromMemory(source.artifacts));
  }
  const module = await importModule(source.url);
  const factory = module[source.exportName];
  if (typeof factory !== 'function') {
    throw new Error(`${source.url} has no function export '${source.exportName}' (it exports: ${Object.keys(module).join(', ') || 'nothing'})`);
  }
  const model: unknown = await factory(source.options);
  if (!expected.accepts(model)) {
    throw new Error(`${source.url}'s '${source.exportName}' returned ${String(model)}, not ${expected.description}`);
  }
  return model;
}
