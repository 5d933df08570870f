import type { TensorInfo } from '@tensorflow/tfjs-core';

/** Throws a tfjs-style error naming the kernel, the argument and the rank it got. */
export function assertRank(kernelName: string, argName: string, info: TensorInfo | readonly number[], rank: number): void {
  const shape = Array.isArray(info) ? info : (info as TensorInfo).shape;
  if (shape.length !== rank) {
    throw new Error(
      `Error in ${kernelName}: ${argName} must be rank ${rank}, but got rank ${shape.length} (shape [${shape.join(',')}]).`,
    );
  }
}

/** Throws a tfjs-style error naming the kernel, the argument and the dtype it got. */
export function assertDtype(kernelName: string, argName: string, info: TensorInfo, allowed: readonly string[]): void {
  if (!allowed.includes(info.dtype)) {
    throw new Error(`Error in ${kernelName}: ${argName} must have dtype ${allowed.join(' or ')}, but got ${info.dtype}.`);
  }
}

/** Throws when a tensor's shape differs from the one the kernel's attributes imply. */
export function assertShape(kernelName: string, argName: string, info: TensorInfo, expected: readonly number[], why: string): void {
  const same = info.shape.length === expected.length && info.shape.every((d, i) => d === expected[i]);
  if (!same) {
    throw new Error(
      `Error in ${kernelName}: ${argName} must have shape [${expected.join(',')}] (${why}), but got shape [${info.shape.join(',')}].`,
    );
  }
}

/** Kernel inputs are optional in tfjs's types; a missing one is a caller bug worth naming. */
export function requireInput(kernelName: string, inputs: Record<string, TensorInfo | undefined>, argName: string): TensorInfo {
  const info = inputs[argName];
  if (info === undefined) {
    throw new Error(`Error in ${kernelName}: input '${argName}' is missing.`);
  }
  return info;
}

/** Input `argName` of a kernel, required to be a float32 tensor of rank 4 (an NHWC batch, a conv filter). */
export function requireFloat32Rank4(kernelName: string, inputs: Record<string, TensorInfo | undefined>, argName: string): TensorInfo {
  const info = requireInput(kernelName, inputs, argName);
  assertRank(kernelName, argName, info, 4);
  assertDtype(kernelName, argName, info, ['float32']);
  return info;
}

/**
 * The float32 rank-4 `dy` and `filter` of a *BackpropInput kernel, checked against the rank-4 `inputShape` they
 * reconstruct (the filter's in-channels must equal the input's channels).
 */
export function backpropInputOperands(
  name: string,
  inputs: Record<string, TensorInfo | undefined>,
  inputShape: readonly number[],
): { dy: TensorInfo; filter: TensorInfo } {
  const dy = requireFloat32Rank4(name, inputs, 'dy');
  const filter = requireFloat32Rank4(name, inputs, 'filter');
  assertRank(name, 'inputShape', inputShape, 4);
  if (filter.shape[2] !== inputShape[3]) {
    throw new Error(
      `Error in ${name}: filter inChannels (${filter.shape[2]}) must match inputShape channels (${inputShape[3]}), ` +
        `but got filter shape [${filter.shape.join(',')}] and inputShape [${inputShape.join(',')}].`,
    );
  }
  return { dy, filter };
}
