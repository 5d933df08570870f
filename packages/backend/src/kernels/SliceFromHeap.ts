import {
  slice_util,
  Slice,
  util,
  type KernelConfig,
  type KernelFunc,
  type SliceAttrs,
  type SliceInputs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { requireInput } from './tensor_checks.js';

/** Below this many contiguous elements a plain loop beats creating a subarray and calling `set`. */
const SHORT_RUN = 64;

/**
 * tfjs-backend-wasm 4.22's Slice first copies the whole input out of the WASM heap (`readSync`), then copies the
 * slice with one `subarray` + `set` per innermost row: for the [64,28,28,2] displacement field of a DDAR step that is
 * ~48k tiny copies per slice (~10 ms each, ~50 ms per step for the total-variation slices). This kernel reads the
 * input in place on the heap, merges the trailing axes the slice keeps whole into one contiguous run, and copies
 * short runs element by element. Strings go to the original kernel. Output values are bit-identical.
 */
export function makeSliceFromHeap(original: KernelConfig): KernelConfig {
  const originalFunc = original.kernelFunc;
  const kernelFunc = (args: { inputs: SliceInputs; backend: BackendWasm; attrs: SliceAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const x = requireInput(Slice, inputs, 'x');
    if (x.dtype === 'string') {
      return originalFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const [begin, size] = slice_util.parseSliceParams(x as Parameters<typeof slice_util.parseSliceParams>[0], attrs.begin, attrs.size);
    slice_util.assertParamsValid(x as Parameters<typeof slice_util.assertParamsValid>[0], begin, size);
    const out = backend.makeOutput(size, x.dtype);
    if (util.sizeFromShape(size) === 0) return out;
    copySlice(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
    return out;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}

type Values = ReturnType<BackendWasm['typedArrayFromHeap']>;

function copySlice(x: Values, shape: readonly number[], begin: number[], size: number[], out: Values): void {
  const strides = util.computeStrides(shape as number[]);
  // The innermost axes the slice keeps whole, plus the first one it cuts, form one contiguous run per outer index.
  let runAxis = Math.max(0, shape.length - 1);
  while (runAxis > 0 && size[runAxis] === shape[runAxis]) runAxis--;
  const run = size.slice(runAxis).reduce((a, b) => a * b, 1);
  let base = 0;
  for (let axis = 0; axis < shape.length; axis++) base += begin[axis] * (axis === shape.length - 1 ? 1 : strides[axis]);
  const outerSizes = size.slice(0, runAxis);
  const outerStrides = strides.slice(0, runAxis);
  const outerCount = outerSizes.reduce((a, b) => a * b, 1);
  const index = new Array<number>(runAxis).fill(0);
  let from = base;
  let to = 0;
  for (let i = 0; i < outerCount; i++) {
    if (run >= SHORT_RUN) {
      out.set(x.subarray(from, from + run), to);
    } else {
      for (let k = 0; k < run; k++) out[to + k] = x[from + k];
    }
    to += run;
    // Odometer over the outer axes, innermost first.
    for (let axis = runAxis - 1; axis >= 0; axis--) {
      index[axis]++;
      from += outerStrides[axis];
      if (index[axis] < outerSizes[axis]) break;
      from -= outerStrides[axis] * outerSizes[axis];
      index[axis] = 0;
    }
  }
}
