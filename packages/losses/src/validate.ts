import type * as tf from '@tensorflow/tfjs-core';

/** Throws `Error in <op>: <name> must be rank <rank>, but got rank <r>` unless `x` has that rank. */
export function assertRank(op: string, name: string, x: tf.Tensor, rank: number): void {
  if (x.rank !== rank) {
    throw new Error(
      `Error in ${op}: ${name} must be rank ${rank}, but got rank ${x.rank} (shape [${x.shape.join(', ')}])`,
    );
  }
}

/** Throws unless `a` and `b` have identical shapes. */
export function assertSameShape(op: string, nameA: string, a: tf.Tensor, nameB: string, b: tf.Tensor): void {
  const same = a.rank === b.rank && a.shape.every((size, axis) => size === b.shape[axis]);
  if (!same) {
    throw new Error(
      `Error in ${op}: ${nameA} and ${nameB} must have the same shape, but got ` +
        `[${a.shape.join(', ')}] and [${b.shape.join(', ')}]`,
    );
  }
}

/** Throws unless `x` holds floating-point values: integer tensors would silently truncate gradients. */
export function assertFloat(op: string, name: string, x: tf.Tensor): void {
  if (x.dtype !== 'float32') {
    throw new Error(`Error in ${op}: ${name} must have dtype float32, but got ${x.dtype}`);
  }
}

/** Throws unless `x` has at least one element, since a mean over nothing is undefined. */
export function assertNotEmpty(op: string, name: string, x: tf.Tensor): void {
  if (x.size === 0) {
    throw new Error(`Error in ${op}: ${name} must not be empty, but got shape [${x.shape.join(', ')}]`);
  }
}

/** Throws unless `value` is a finite number in [min, max]. */
export function assertNumberInRange(op: string, name: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`Error in ${op}: ${name} must be a finite number in [${min}, ${max}], but got ${String(value)}`);
  }
}

/** Throws unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(
  op: string,
  name: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new Error(`Error in ${op}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, but got ${
      typeof value === 'string' ? `'${value}'` : String(value)
    }`);
  }
}

/** Throws unless `value` is a finite number >= 0. */
export function assertNonNegative(op: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`Error in ${op}: ${name} must be a finite number >= 0, but got ${String(value)}`);
  }
}
