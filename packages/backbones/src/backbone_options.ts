import type * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone, BackboneOptions, ImageShape } from './backbone.js';

/** The options a built-in records on its backbone: every field resolved to its default. */
export type ResolvedBackboneOptions = Backbone['options'];

/** Throws unless `inputShape` is [height, width, channels] of positive integers; returns a copy. */
export function validateInputShape(op: string, inputShape: unknown): ImageShape {
  const valid =
    Array.isArray(inputShape) &&
    inputShape.length === 3 &&
    inputShape.every((size) => Number.isInteger(size) && size > 0);
  if (!valid) {
    throw new Error(
      `Error in ${op}: options.inputShape must be [height, width, channels] of positive integers, but got ${describe(
        inputShape,
      )}`,
    );
  }
  return [...(inputShape as ImageShape)];
}

/**
 * Validates the options every built-in shares and fills in their defaults. `defaultEmbeddingSize`
 * may depend on the resolved width, hence a function.
 */
export function resolveBackboneOptions(
  op: string,
  options: BackboneOptions,
  defaultEmbeddingSize: (width: number) => number,
): ResolvedBackboneOptions {
  if (options == null || typeof options !== 'object') {
    throw new Error(`Error in ${op}: options must be an object with an inputShape, but got ${describe(options)}`);
  }
  const inputShape = validateInputShape(op, options.inputShape);
  const width = options.width ?? 1;
  if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) {
    throw new Error(`Error in ${op}: options.width must be a finite number > 0, but got ${describe(width)}`);
  }
  const embeddingSize = options.embeddingSize ?? defaultEmbeddingSize(width);
  if (!Number.isInteger(embeddingSize) || embeddingSize <= 0) {
    throw new Error(
      `Error in ${op}: options.embeddingSize must be a positive integer, but got ${describe(embeddingSize)}`,
    );
  }
  const namePrefix = options.namePrefix ?? op;
  if (typeof namePrefix !== 'string' || !/^[A-Za-z][A-Za-z0-9_.-]*$/.test(namePrefix)) {
    // Layer names become weight names in model.json ("<layer>/kernel"), so no '/' or spaces.
    throw new Error(
      `Error in ${op}: options.namePrefix must start with a letter and contain only letters, digits, '_', '.', '-', ` +
        `but got ${describe(namePrefix)}`,
    );
  }
  const seed = options.seed;
  if (seed !== undefined && !Number.isFinite(seed)) {
    throw new Error(`Error in ${op}: options.seed must be a finite number, but got ${describe(seed)}`);
  }
  return seed === undefined
    ? { inputShape, width, embeddingSize, namePrefix }
    : { inputShape, width, embeddingSize, namePrefix, seed };
}

/** Channels of a layer whose reference width is `base`, scaled by the width multiplier, at least 1. */
export function scaledChannels(base: number, width: number): number {
  return Math.max(1, Math.round(base * width));
}

/** Throws unless the symbolic `input` is a batch of images of exactly `inputShape`. */
export function assertInputMatches(op: string, input: tfl.SymbolicTensor, inputShape: ImageShape): void {
  const shape = input?.shape;
  const matches =
    Array.isArray(shape) && shape.length === 4 && inputShape.every((size, axis) => shape[axis + 1] === size);
  if (!matches) {
    throw new Error(
      `Error in ${op}.apply: input must have shape [null, ${inputShape.join(', ')}] (the options.inputShape the ` +
        `backbone was built for), but got ${describe(Array.isArray(shape) ? shape : input)}`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      // Layers objects are cyclic.
      return `a ${value.constructor?.name ?? 'object'}`;
    }
  }
  return String(value);
}
