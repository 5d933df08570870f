import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

/** How a worker thread builds its copy of a model: plain data, sent to it when it starts. */
export type ReplicaSource =
  /** A model saved to memory, loaded with @ddar/disentangle's `loadClassifierModel`. */
  | { kind: 'artifacts'; artifacts: tf.io.ModelArtifacts }
  /** `exportName` of the module at `url`, called with `options`. */
  | { kind: 'module'; url: string; exportName: string; options: unknown };

/** A module whose export builds a model: what a caller names when the model itself cannot be copied. */
export interface ReplicaModule {
  /** Absolute path or `file:` / `data:` URL of the module. */
  module: string | URL;
  /** Default `'default'`. Called with `options`; may return a promise. */
  exportName?: string;
  /** Passed to the export; must survive `structuredClone`. */
  options?: unknown;
}

/** Anything with the `save` of @ddar/disentangle's models (and of `tf.LayersModel`). */
export interface Saveable {
  save(destination: tf.io.IOHandler): Promise<unknown>;
}

/** `model` saved in memory, as `loadClassifierModel(tf.io.fromMemory(artifacts))` reads it back. `where` names the caller in errors. */
export async function saveToMemory(model: Saveable, where: string): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (saved === undefined) throw new Error(`${where}: model.save() wrote nothing to copy to the workers`);
  return saved;
}

/**
 * The source of a worker's copy built by a module's export. `where` is the argument's name in errors (e.g.
 * `train: config.dataParallel.replica`); the module must be a URL or an absolute path, since a worker resolves nothing
 * relative to the caller's file.
 */
export function moduleReplicaSource(replica: ReplicaModule, where: string): ReplicaSource {
  const { module, exportName = 'default', options } = replica;
  let url: string;
  if (module instanceof URL) {
    url = module.href;
  } else if (typeof module === 'string' && isAbsolute(module)) {
    url = pathToFileURL(module).href;
  } else if (typeof module === 'string' && /^(file|data):/.test(module)) {
    url = module;
  } else {
    throw new Error(`${where}.module must be a URL or an absolute path (e.g. new URL('./model.js', import.meta.url)), but got ${JSON.stringify(module)}`);
  }
  return { kind: 'module', url, exportName, options };
}
