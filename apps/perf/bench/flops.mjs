// Floating-point operations of one training step per image, counted from a tfjs-layers model's layer shapes, so that
// the benchmarks can turn images/s into GFLOP/s and compare it with the matmul ceilings (bench/ceilings.mjs).
//
// What is counted: 2 FLOP per multiply-add of every Conv2D and Dense layer (plus, when given, other matrix products
// such as the integral warp's running sums), once for the forward pass and twice for the backward pass (the weight
// gradient and the input gradient), except that a layer reading the model's input has no input gradient. Bias adds,
// activations, pooling, upsampling, the warp's sampling, the loss and the optimizer are not counted: they are
// memory-bound and small in FLOP, so the figure is a floor on the work done and GFLOP/s a floor on the rate.

/** Multiply-adds per image of each Conv2D and Dense layer of `model`, and whether the layer reads the model input. */
export function layerMultiplyAdds(model) {
  const rows = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className !== 'Conv2D' && className !== 'Dense') continue;
    const kernel = layer.getWeights()[0];
    const output = layer.outputShape;
    // Conv2D: output positions x (KH * KW * Cin) x Cout; Dense: the positions of a rank > 2 input x in x units.
    const positions = output.slice(1, -1).reduce((a, b) => a * b, 1);
    const multiplyAdds = positions * kernel.shape.reduce((a, b) => a * b, 1);
    const readsInput = layer.inboundNodes[0].inboundLayers.every((inbound) => inbound.getClassName() === 'InputLayer');
    rows.push({ name: layer.name, className, multiplyAdds, readsInput });
  }
  return rows;
}

/**
 * FLOP per image of a training step (forward + backward) of `model`, counted as described at the top of this file;
 * `otherMultiplyAdds` are matrix products outside the layers whose only gradient is the one of their input.
 */
export function trainingFlopsPerImage(model, { otherMultiplyAdds = 0 } = {}) {
  let flops = 0;
  for (const { multiplyAdds, readsInput } of layerMultiplyAdds(model)) flops += 2 * multiplyAdds * (readsInput ? 2 : 3);
  return flops + 2 * otherMultiplyAdds * 2;
}

/** FLOP per image of a DDARModel's training step: its network, plus the integral warp's two running-sum products. */
export function ddarTrainingFlopsPerImage(ddar) {
  const [h, w] = ddar.inputShape;
  // integralAffineDisplacement: [N*H, W] x [W, W] along x and [N*W, H] x [H, H] along y.
  const runningSums = ddar.geometry === 'integral' ? h * w * w + w * h * h : 0;
  return trainingFlopsPerImage(ddar.network, { otherMultiplyAdds: runningSums });
}

/** `1.23 M`-style text for a FLOP count. */
export function formatFlops(flops) {
  return `${(flops / 1e6).toFixed(2)} MFLOP`;
}
