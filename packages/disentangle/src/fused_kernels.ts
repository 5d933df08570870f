import * as tf from '@tensorflow/tfjs-core';

/**
 * Names of the fused kernels `warp` and `integralAffineDisplacement` run when the active backend registers them
 * (each with its gradient kernel), instead of their composite form of ~20 small ops. @ddar/backend registers them for
 * wasm. This package does not depend on @ddar/backend (it works on any backend, with or without them), so it spells
 * the names itself; a test checks that they are @ddar/backend's. Inputs, attributes and outputs are documented where
 * the kernels are defined (@ddar/backend's `fused_kernel_names.ts`) and used (below, in `warp.ts` and
 * `integral_warp.ts`).
 */
export const FUSED_KERNEL_NAMES = {
  bilinearWarp: 'DdarBilinearWarp',
  bilinearWarpGrad: 'DdarBilinearWarpGrad',
  integralAffineDisplacement: 'DdarIntegralAffineDisplacement',
  integralAffineDisplacementGrad: 'DdarIntegralAffineDisplacementGrad',
} as const;

/** Whether the active backend has both the forward kernel and its gradient kernel. */
export function hasFusedKernel(forward: string, gradient: string): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(forward, backend) !== undefined && tf.getKernel(gradient, backend) !== undefined;
}

/**
 * A differentiable op made of a forward kernel and a gradient kernel that returns one gradient per input, in the
 * order of `inputNames`. The inputs are saved for the gradient kernel, which gets them under the same names with the
 * upstream gradient as `dy`.
 */
export function fusedOp(
  forward: string,
  gradient: string,
  inputNames: readonly string[],
  attrs: tf.NamedAttrMap,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    const named = (tensors: tf.Tensor[]): tf.NamedTensorMap => Object.fromEntries(inputNames.map((name, i) => [name, tensors[i]]));
    const value = tf.engine().runKernel(forward, named(inputs), attrs) as tf.Tensor;
    save(inputs);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.engine().runKernel(gradient, { ...named(saved), dy }, attrs) as tf.Tensor[];
    return { value, gradFunc };
  }) as (...inputs: tf.Tensor[]) => tf.Tensor;
}
