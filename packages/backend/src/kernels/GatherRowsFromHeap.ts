import {
  GatherV2,
  util,
  type GatherV2Attrs,
  type GatherV2Inputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { requireInput } from './tensor_checks.js';

/**
 * tfjs-backend-wasm 4.22's GatherV2 computes every output element's source through strides, one at a time: taking 64
 * MNIST images out of a training set costs ~1.2 ms per batch, on the main thread's serial path of every step. A gather
 * along the first axis (a batch of rows of a dataset, of labels) copies whole rows: one `set` per index, read in place
 * on the heap. Other axes, batch dimensions and strings go to the original kernel. Output values are bit-identical.
 */
export function makeGatherRowsFromHeap(original: KernelConfig): KernelConfig {
  const originalFunc = original.kernelFunc;
  const kernelFunc = (args: { inputs: GatherV2Inputs; backend: BackendWasm; attrs: GatherV2Attrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const x = requireInput(GatherV2, inputs, 'x');
    const indices = requireInput(GatherV2, inputs, 'indices');
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
    if (axis !== 0 || (attrs.batchDims ?? 0) !== 0 || x.dtype === 'string' || indices.dtype !== 'int32') {
      return originalFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const rows = x.shape[0];
    const index = backend.typedArrayFromHeap(indices) as Int32Array;
    for (let i = 0; i < index.length; i++) {
      // The original kernel's check and message.
      util.assert(index[i] <= rows - 1 && index[i] >= 0, () => `GatherV2: the index value ${index[i]} is not in [0, ${rows - 1}]`);
    }
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const rowSize = util.sizeFromShape(x.shape.slice(1));
    if (rowSize === 0 || index.length === 0) return out;
    // Views are taken after makeOutput: allocating may grow the heap and detach earlier views.
    const source = backend.typedArrayFromHeap(x);
    const target = backend.typedArrayFromHeap(out);
    const rowIndices = backend.typedArrayFromHeap(indices) as Int32Array;
    for (let i = 0; i < rowIndices.length; i++) {
      const from = rowIndices[i] * rowSize;
      if (rowSize === 1) target[i] = source[from];
      else target.set(source.subarray(from, from + rowSize), i * rowSize);
    }
    return out;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}
