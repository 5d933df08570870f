import * as tf from '@tensorflow/tfjs-core';

/** How the optimizer's slots are laid out in `optimizer.bin`; stored in the checkpoint's state.json. */
export interface OptimizerStateManifest {
  /** tfjs class name (`Adam`, `Momentum`, `SGD`); resuming into another optimizer would be meaningless. */
  className: string;
  /** The slot names tfjs gave, in the order `setWeights` expects them. */
  names: string[];
  /** Specs of the slots in `optimizer.bin`, under position-based names (tfjs slot names may repeat). */
  specs: tf.io.WeightsManifestEntry[];
}

// Adam's running powers of beta1 and beta2 are not part of getWeights(); setWeights recomputes them as pow(beta, t+1),
// which differs from the uninterrupted product in the last float32 bits. Storing them keeps a resumed run bit-exact.
const ADAM_EXTRA_SLOTS = ['accBeta1', 'accBeta2'] as const;

type AdamInternals = Partial<Record<(typeof ADAM_EXTRA_SLOTS)[number], tf.Variable>>;

function className(optimizer: tf.Optimizer): string {
  return (optimizer.constructor as unknown as { className: string }).className;
}

/** The optimizer's state (step count, moments, momentum buffers) as bytes plus their manifest. */
export async function encodeOptimizerState(optimizer: tf.Optimizer): Promise<{ manifest: OptimizerStateManifest; data: Uint8Array }> {
  const slots = await optimizer.getWeights();
  const extras = ADAM_EXTRA_SLOTS.map((name) => ({ name, tensor: (optimizer as unknown as AdamInternals)[name] }))
    .filter((slot): slot is { name: (typeof ADAM_EXTRA_SLOTS)[number]; tensor: tf.Variable } => slot.tensor !== undefined);
  const all = [...slots, ...extras];
  try {
    const encoded = await tf.io.encodeWeights(all.map((slot, i) => ({ name: `slot-${i}`, tensor: slot.tensor })));
    return {
      manifest: { className: className(optimizer), names: all.map((slot) => slot.name), specs: encoded.specs },
      data: new Uint8Array(tf.io.CompositeArrayBuffer.join(encoded.data)),
    };
  } finally {
    // getWeights() makes a fresh scalar for the step count; the other slots are the optimizer's own variables.
    slots[0]?.tensor.dispose();
  }
}

/** Puts a state from {@link encodeOptimizerState} into a freshly created optimizer of the same kind. */
export async function restoreOptimizerState(
  optimizer: tf.Optimizer,
  manifest: OptimizerStateManifest,
  data: Uint8Array,
  where: string,
): Promise<void> {
  if (manifest.className !== className(optimizer)) {
    throw new Error(`${where}: the checkpoint holds ${manifest.className} optimizer state but the run uses ${className(optimizer)}`);
  }
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const decoded = tf.io.decodeWeights(buffer, manifest.specs);
  const tensors = manifest.names.map((name, i) => ({ name, tensor: decoded[`slot-${i}`] }));
  const missing = tensors.filter((slot) => slot.tensor === undefined).map((slot) => slot.name);
  if (missing.length > 0) {
    tf.dispose(Object.values(decoded));
    throw new Error(`${where}: optimizer state is incomplete; missing ${missing.join(', ')}`);
  }
  const extras = tensors.filter((slot) => (ADAM_EXTRA_SLOTS as readonly string[]).includes(slot.name));
  const regular = tensors.filter((slot) => !extras.includes(slot));
  try {
    await optimizer.setWeights(regular);
    for (const extra of extras) {
      (optimizer as unknown as AdamInternals)[extra.name as (typeof ADAM_EXTRA_SLOTS)[number]]?.assign(extra.tensor);
    }
  } finally {
    // setWeights wraps each tensor in a new variable that holds its own reference to the data.
    tf.dispose(Object.values(decoded));
  }
}
