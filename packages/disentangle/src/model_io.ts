import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { METADATA_KEY, MODEL_KINDS, type ModelConfig, type ModelKind } from './classifier_model.js';

function isIOHandler(value: unknown): value is tf.io.IOHandler {
  return (
    value != null &&
    typeof value === 'object' &&
    (typeof (value as tf.io.IOHandler).save === 'function' || typeof (value as tf.io.IOHandler).load === 'function')
  );
}

type Direction = 'save' | 'load';

/** What each direction calls its argument in error messages. */
const ARGUMENT_NAME: Record<Direction, string> = { save: 'destination', load: 'source' };

/**
 * A save or load handler for an IOHandler or a URL string such as `file://./model`. URL schemes come
 * from the tf.io registry: `file://` is registered by @ddar/backend's `initBackend()` (or by tfjs-node).
 */
export function resolveHandler(direction: Direction, op: string, target: string | tf.io.IOHandler): tf.io.IOHandler {
  if (typeof target === 'string') {
    const handlers = direction === 'save' ? tf.io.getSaveHandlers(target) : tf.io.getLoadHandlers(target);
    if (handlers.length === 0) {
      throw new Error(
        `Error in ${op}: no tf.io ${direction} handler is registered for '${target}'. ` +
          `For file:// URLs call initBackend() or registerFileSystemRouter() from @ddar/backend first, or pass a tf.io.IOHandler.`,
      );
    }
    return handlers[0];
  }
  if (!isIOHandler(target) || typeof target[direction] !== 'function') {
    throw new Error(
      `Error in ${op}: ${ARGUMENT_NAME[direction]} must be a URL string or a tf.io.IOHandler with ${direction}(), but got ${typeof target}`,
    );
  }
  return target;
}

/** Saves `network` with `config` in its model.json's `userDefinedMetadata`. */
export async function saveNetwork(
  op: string,
  network: tfl.LayersModel,
  config: ModelConfig,
  destination: string | tf.io.IOHandler,
): Promise<tf.io.SaveResult> {
  const handler = resolveHandler('save', op, destination);
  network.setUserDefinedMetadata({ [METADATA_KEY]: config as unknown as object });
  return network.save(handler);
}

/**
 * Loads a network saved by {@link saveNetwork} and returns it with its configuration. With
 * `expectedKind`, a model of another kind is an error (and is disposed).
 */
export async function loadNetwork(
  op: string,
  source: string | tf.io.IOHandler,
  expectedKind?: ModelKind,
): Promise<{ network: tfl.LayersModel; config: ModelConfig }> {
  const network = await tfl.loadLayersModel(resolveHandler('load', op, source));
  try {
    const config = readConfig(op, network.getUserDefinedMetadata());
    assertConfigMatchesNetwork(op, config, network);
    if (expectedKind !== undefined && config.kind !== expectedKind) {
      throw new Error(`Error in ${op}: the saved model is a '${config.kind}' model, not a '${expectedKind}' model; load it with loadClassifierModel`);
    }
    return { network, config };
  } catch (error) {
    network.dispose();
    throw error;
  }
}

/** The layers each kind of model looks up by name, besides the logits. */
const REQUIRED_LAYERS: Record<ModelKind, readonly string[]> = {
  baseline: ['logits'],
  aeReg: ['logits', 'code', 'decoder'],
  ddar: ['logits', 'appearanceCode', 'geometricCode', 'appearanceDecoder', 'geometricDecoder'],
};

/**
 * The recorded configuration must describe the network it came with: an edited model.json (another kind, another
 * number of classes, another input shape) would otherwise load and misbehave far from the cause.
 */
function assertConfigMatchesNetwork(op: string, config: ModelConfig, network: tfl.LayersModel): void {
  const edited = 'the model.json was edited or its parts do not belong together';
  const names = new Set(network.layers.map((layer) => layer.name));
  const layers = (config.layers ?? {}) as unknown as Record<string, string | string[] | undefined>;
  for (const key of REQUIRED_LAYERS[config.kind]) {
    const named = layers[key];
    const list = Array.isArray(named) ? named : [named];
    const missing = list.filter((name) => typeof name !== 'string' || !names.has(name));
    if (named === undefined || missing.length > 0) {
      const what = named === undefined ? `does not name layers.${key}, which a '${config.kind}' model needs` : `names layers.${key} = ${JSON.stringify(named)}, which the network does not have`;
      throw new Error(`Error in ${op}: the metadata of this '${config.kind}' model ${what}; ${edited}`);
    }
  }
  const inputShape = network.inputs[0]?.shape.slice(1);
  if (JSON.stringify(inputShape) !== JSON.stringify(config.inputShape)) {
    throw new Error(`Error in ${op}: the metadata says inputShape [${config.inputShape}] but the network takes [${inputShape}]; ${edited}`);
  }
  const logitsShape = network.getLayer(layers.logits as string).outputShape as number[];
  const classes = logitsShape[logitsShape.length - 1];
  if (classes !== config.numClasses) {
    throw new Error(`Error in ${op}: the metadata says numClasses ${config.numClasses} but the logits layer has ${classes} units; ${edited}`);
  }
}

function readConfig(op: string, metadata: unknown): ModelConfig {
  const config = (metadata as Record<string, unknown> | undefined)?.[METADATA_KEY] as Partial<ModelConfig> | undefined;
  if (config == null || typeof config !== 'object' || config.format !== 'ddar-ts') {
    throw new Error(`Error in ${op}: the model.json has no DDAR configuration in userDefinedMetadata.${METADATA_KEY}; it was not saved by @ddar/disentangle`);
  }
  if (config.formatVersion !== 1) {
    throw new Error(`Error in ${op}: unsupported formatVersion ${String(config.formatVersion)} (this version reads 1)`);
  }
  if (!MODEL_KINDS.includes(config.kind as ModelKind)) {
    throw new Error(`Error in ${op}: unknown model kind '${String(config.kind)}' (expected one of ${MODEL_KINDS.join(', ')})`);
  }
  return config as ModelConfig;
}
