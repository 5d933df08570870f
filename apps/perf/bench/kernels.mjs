// Time per call of each wasm training kernel at the shapes the reference model and a warp use.
// Usage: pnpm build at the root, then from apps/perf: node bench/kernels.mjs
/* global console */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';

await initBackend({ backend: 'wasm', log: false });

function time(label, run, repeats = 20) {
  // The braces matter: a typed array returned from tidy would be walked element by element.
  tf.tidy(() => {
    run().dataSync();
  }); // warm-up: XNNPACK operator creation, heap growth
  const started = performance.now();
  for (let i = 0; i < repeats; i++) {
    tf.tidy(() => {
      run().dataSync();
    });
  }
  console.log(`${label.padEnd(78)} ${((performance.now() - started) / repeats).toFixed(2).padStart(8)} ms`);
}

const conv = (x, dy, filterShape, strides, pad) => () =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape });
const x1 = tf.randomNormal([128, 28, 28, 1]);
const dy1 = tf.randomNormal([128, 26, 26, 32]);
time('Conv2DBackpropFilter x[128,28,28,1] dy[128,26,26,32] 3x3 valid', conv(x1, dy1, [3, 3, 1, 32], 1, 'valid'));
const x2 = tf.randomNormal([128, 13, 13, 32]);
const dy2 = tf.randomNormal([128, 7, 7, 64]);
time('Conv2DBackpropFilter x[128,13,13,32] dy[128,7,7,64] 3x3 stride 2 same', conv(x2, dy2, [3, 3, 32, 64], 2, 'same'));
const x3 = tf.randomNormal([128, 32, 32, 16]);
const dy3 = tf.randomNormal([128, 32, 32, 16]);
time('Conv2DBackpropFilter x[128,32,32,16] dy[128,32,32,16] 3x3 same (ResNet-20 stage 1)', conv(x3, dy3, [3, 3, 16, 16], 1, 'same'));

// The gradient of a bilinear warp's gather: 4 taps per output pixel, scattered back onto pixels.
for (const [n, h, w, c] of [[128, 28, 28, 1], [128, 32, 32, 3]]) {
  const pixels = n * h * w;
  const ids = tf.randomUniform([4 * pixels], 0, pixels, 'int32');
  const values = tf.randomNormal([4 * pixels, c]);
  time(`UnsortedSegmentSum ${4 * pixels} ids x ${c} channels -> ${pixels} segments (warp [${n},${h},${w},${c}])`, () =>
    tf.unsortedSegmentSum(values, ids, pixels),
  );
}

const xd = tf.randomNormal([128, 16, 16, 32]);
const dyd = tf.randomNormal([128, 16, 16, 32]);
const fd = tf.randomNormal([3, 3, 32, 1]);
const dwAttrs = { strides: 1, pad: 'same', dilations: 1 };
time('DepthwiseConv2dNativeBackpropFilter x[128,16,16,32] 3x3 same', () =>
  tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xd, dy: dyd }, { ...dwAttrs, filterShape: [3, 3, 32, 1] }),
);
time('DepthwiseConv2dNativeBackpropInput dy[128,16,16,32] 3x3 same', () =>
  tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyd, filter: fd }, { ...dwAttrs, inputShape: [128, 16, 16, 32] }),
);
