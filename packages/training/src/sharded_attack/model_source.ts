import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Bounds, Model, ModelLike } from '@ddar/attacks';
import { loadClassifierModel, MODEL_KINDS, type ClassifierModel } from '@ddar/disentangle';
import { buildReplica } from '../threads/build_replica.js';
import { moduleReplicaSource, saveToMemory, type ReplicaModule, type ReplicaSource } from '../threads/replica_source.js';
import { ATTACKABLE, attackModel } from './attack_model.js';

/** A saved model: a directory or URL `loadClassifierModel` reads, a `tf.io.IOHandler`, or the artifacts themselves. */
export interface SavedModel {
  saved: string | tf.io.IOHandler | tf.io.ModelArtifacts;
}

/**
 * What a sharded attack attacks. Three kinds of model can be rebuilt in a worker thread, so their attacks use every
 * thread: a model of @ddar/disentangle (sent to the workers saved in memory), a {@link SavedModel}, and a module whose
 * export builds the model (`{ module, exportName?, options? }`; the export may return any of the other kinds, a plain
 * function included). Any other model of @ddar/attacks (a function, a wrapped `Model`, a `tf.LayersModel`) cannot be
 * sent to a worker thread: its attacks run on the main thread alone, with a note saying so.
 */
export type ShardableModel = ClassifierModel | SavedModel | ReplicaModule | ModelLike;

/** A {@link ShardableModel} made ready on the main thread. */
export interface ResolvedModel {
  /** The main thread's model, as the attacks see it. */
  model: Model;
  /** How workers build theirs; undefined when the model cannot be sent to a worker thread. */
  replica?: ReplicaSource;
  /** Why the model cannot be sent to a worker thread, when it cannot. */
  unsendable?: string;
  /** [H, W, C] of one image, when the model says. */
  inputShape?: readonly number[];
  /** Frees what was built here (a loaded model), never the caller's model. */
  dispose(): void;
}

function isClassifierModel(model: unknown): model is ClassifierModel {
  const m = model as Partial<ClassifierModel> | null;
  return (
    typeof m === 'object' && m !== null && (MODEL_KINDS as readonly unknown[]).includes(m.kind) &&
    typeof m.classify === 'function' && typeof m.save === 'function'
  );
}

function isArtifacts(saved: unknown): saved is tf.io.ModelArtifacts {
  return typeof saved === 'object' && saved !== null && 'modelTopology' in saved;
}

function disposeOf(model: unknown): () => void {
  const dispose = (model as { dispose?: unknown } | null)?.dispose;
  return typeof dispose === 'function' ? () => dispose.call(model) : () => undefined;
}

/** Reads a saved model's artifacts on the main thread, so that a handler registered here only still serves the workers. */
async function readSaved(where: string, saved: SavedModel['saved']): Promise<tf.io.ModelArtifacts> {
  if (isArtifacts(saved)) return saved;
  let handler: tf.io.IOHandler;
  if (typeof saved === 'string') {
    if (saved.length === 0) throw new Error(`${where}: model.saved must be a directory, a URL or a tf.io.IOHandler, but got ''`);
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(saved) ? saved : `file://${path.resolve(saved)}`;
    const handlers = tf.io.getLoadHandlers(url);
    if (handlers.length === 0) {
      throw new Error(`${where}: no tf.io load handler is registered for '${url}' (model.saved); for files call initBackend() of @ddar/backend first`);
    }
    handler = handlers[0];
  } else if (typeof saved === 'object' && saved !== null && typeof saved.load === 'function') {
    handler = saved;
  } else {
    throw new Error(`${where}: model.saved must be a directory, a URL, a tf.io.IOHandler or tf.io.ModelArtifacts, but got ${saved === null ? 'null' : typeof saved}`);
  }
  try {
    return await handler.load!();
  } catch (error) {
    throw new Error(`${where}: could not read model.saved: ${(error as Error).message}`);
  }
}

/** Why `model` (a {@link ModelLike} or unknown object) cannot be sent to a worker thread. */
function unsendableReason(model: unknown): string {
  if (typeof model === 'function') return 'the model is a function, which cannot be sent to a worker thread';
  const kind = (model as { kind?: unknown } | null)?.kind;
  if (typeof kind === 'string') {
    return `the model's kind is '${kind}', not one of @ddar/disentangle's (${MODEL_KINDS.join(', ')}) that a worker thread can rebuild`;
  }
  return 'the model is an object with methods, which cannot be sent to a worker thread';
}

/**
 * Makes `model` ready on the main thread: the model the main thread attacks, and how a worker rebuilds it, or why it
 * cannot. `where` names the caller in errors.
 */
export async function resolveModel(where: string, model: ShardableModel, bounds: Bounds | undefined): Promise<ResolvedModel> {
  if (model === null || model === undefined) {
    throw new Error(`${where}: model must be a @ddar/disentangle model, { saved }, { module } or a function from images to logits, but got ${String(model)}`);
  }
  if (isClassifierModel(model)) {
    const replica: ReplicaSource = { kind: 'artifacts', artifacts: await saveToMemory(model, where) };
    return { model: attackModel(model, bounds), replica, inputShape: model.inputShape, dispose: () => undefined };
  }
  if (typeof model === 'object' && 'saved' in model) {
    const artifacts = await readSaved(where, model.saved);
    let loaded: ClassifierModel;
    try {
      loaded = await loadClassifierModel(tf.io.fromMemory(artifacts));
    } catch (error) {
      throw new Error(`${where}: model.saved is not a model loadClassifierModel reads: ${(error as Error).message}`);
    }
    return {
      model: attackModel(loaded, bounds),
      replica: { kind: 'artifacts', artifacts },
      inputShape: loaded.inputShape,
      dispose: () => loaded.dispose(),
    };
  }
  if (typeof model === 'object' && 'module' in model) {
    try {
      structuredClone(model.options);
    } catch (error) {
      throw new Error(`${where}: model.options must be plain data a worker can receive (${(error as Error).message})`);
    }
    const replica = moduleReplicaSource(model, `${where}: model`);
    let built: unknown;
    try {
      built = await buildReplica(replica, ATTACKABLE);
    } catch (error) {
      throw new Error(`${where}: model.module: ${(error as Error).message}`);
    }
    const inputShape = isClassifierModel(built) ? built.inputShape : undefined;
    return { model: attackModel(built, bounds), replica, inputShape, dispose: disposeOf(built) };
  }
  let wrapped: Model;
  try {
    wrapped = attackModel(model, bounds);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
  return { model: wrapped, unsendable: unsendableReason(model), dispose: () => undefined };
}
