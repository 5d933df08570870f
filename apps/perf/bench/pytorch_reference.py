#!/usr/bin/env python3
"""PyTorch (CPU) reference for the throughput benchmarks of apps/perf.

Trains, on the same random data sizes and with the same architecture, loss, batch size and optimizer
as bench/throughput.mjs and bench/ddar_throughput.mjs, and prints one JSON object on stdout:

    python3 bench/pytorch_reference.py [--model reference|ddar|ddar-displacement|pgd|pgd-displacement|matmul|all]
                                       [--epochs 2] [--threads 2]
    python3 bench/pytorch_reference.py --parity DIR     (see bench/pytorch_parity.mjs)

- reference: conv 3x3 32 valid + relu, maxpool 2, conv 3x3 64 stride 2 'same' (pad 1) + relu,
  flatten, dense 128 relu, dense 10 softmax (cross-entropy on the logits); Adam 1e-3; batch 128;
  2048 random 28x28x1 images.
- ddar: a port of `DDARModel.create({ inputShape: [28, 28, 1], numClasses: 10,
  backboneOptions: { width: 0.5 } })` (packages/disentangle/src), whose default geometry is
  `integral`; layer for layer:
    backbone smallCnn at width 0.5: conv 5x5 16 same + relu, maxpool 2, conv 5x5 32 same + relu,
      maxpool 2, flatten, dense 512 relu;
    appearance head dense 8 and geometric head dense 64 (linear), logits dense 10 on the appearance code;
    appearance decoder: dense 7*7*32 relu, 2x nearest, conv 3x3 16 relu, 2x nearest, conv 3x3 1 sigmoid;
    warp-increment decoder: dense 7*7*32 relu, conv 3x3 32 relu, conv 3x3 2 linear (initial weights
      N(0, 1e-3)), 4x bilinear upsampling in tfjs-layers' convention (tf.image.resizeBilinear with
      alignCorners and halfPixelCenters false: source = output index / 4, clamped at the last row),
      done here as two products with fixed [28, 7] interpolation matrices;
    affine decoder: dense 6 (zero initial weights);
    increments = 2 * sigmoid(decoder output); affine residual r = tanh(affine output);
    local grid = centred running sum of the increments along each axis (a product with a fixed
      [28, 28] matrix), in normalized coordinates (first to last pixel centre = [-1, 1]); the affine
      map [[1 + r0, r1, r2], [r3, 1 + r4, r5]] of it; displacement = (mapped - identity) in pixels;
    warp of the template by the displacement (pixels, zero border) with grid_sample(align_corners=True);
    loss (DEFAULT_DDAR_LOSS_WEIGHTS) = CE + 10 * MSE + 1 * anisotropic TV of the increments (mean over
      positions, channels summed) + 1 * bias reduction (|batch-mean r|^2 + mean over positions of
      |batch-mean increments - 1|^2); the mean squared displacement is computed, as @ddar/losses does,
      but has weight 0.
  Adam 1e-3, batch 64, 2048 random images.
- ddar-displacement: the first version's geometry (`geometry: 'displacement'`): heads 64/16, the
  field decoder's last conv tanh x 3.5 (pixels) then the same 4x bilinear upsampling, the warp of the
  template by that field; loss = CE + MSE + 0.01 TV(field) + 0.01 mean squared displacement.
- pgd (pgd-displacement): PGD-40 (L-inf, eps 0.3, step 2.5 * eps / 40, random start) against the
  classification path (backbone -> appearance head -> logits) of the ddar (ddar-displacement) port,
  batch 128.
- matmul: 512 x 512 x 512 float32 torch.mm (what nn.Linear runs), median time of 15 after 3 warm-ups,
  in GFLOP/s (2 * 512^3 FLOP per product); and the same product through oneDNN (mkldnn_linear), which
  uses the CPU's widest vectors where the build's BLAS may not (Debian's is BLAS_INFO=generic).

The first step of each measurement is a warm-up and is not timed, as in the Node benchmarks.

--parity DIR reads the weights, images, labels (and gradients) that bench/pytorch_parity.mjs exported
from the tfjs model into DIR, loads them into the port (conv kernels HWIO -> OIHW, dense kernels
transposed, the flatten and reshape orders NHWC -> NCHW), and prints the loss terms, logits and
gradients of both, with their differences.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

IMAGES = 2048

# DEFAULT_DDAR_LOSS_WEIGHTS and DISPLACEMENT_DDAR_LOSS_WEIGHTS of packages/disentangle/src/ddar_model.ts.
LOSS_WEIGHTS = {
    'integral': {'classification': 1, 'reconstruction': 10, 'smoothness': 1, 'magnitude': 0, 'biasReduction': 1},
    'displacement': {'classification': 1, 'reconstruction': 1, 'smoothness': 0.01, 'magnitude': 0.01, 'biasReduction': 0},
}


class ReferenceModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3, stride=2, padding=1)  # tfjs 'same' on 13x13, stride 2: pad 1 each side
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.relu(self.conv2(x))
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def legacy_bilinear_matrix(size_in, size_out):
    """[size_out, size_in] matrix of tf.image.resizeBilinear (alignCorners false, halfPixelCenters false)
    along one axis: output i reads the input at s = i * size_in / size_out, between floor(s) and
    min(ceil(s), size_in - 1)."""
    matrix = torch.zeros(size_out, size_in, dtype=torch.float64)
    scale = size_in / size_out
    for i in range(size_out):
        source = scale * i
        low = int(source // 1)
        high = min(size_in - 1, -int(-source // 1))
        fraction = source - low
        matrix[i, low] += 1 - fraction
        matrix[i, high] += fraction
    return matrix.float()


def half_extent(size):
    return (size - 1) / 2 if size > 1 else 1


def centred_running_sum(size):
    """[S, S] M with steps @ M = the running sum of the steps minus its mean, in normalized units
    (centredRunningSum of integral_warp.ts): M[k, i] = ([k <= i] - (S - k) / S) / half."""
    half = half_extent(size)
    k = torch.arange(size, dtype=torch.float64).view(size, 1)
    i = torch.arange(size, dtype=torch.float64).view(1, size)
    return (((k <= i).double() - (size - k) / size) / half).float()


class DDARModel(nn.Module):
    """The MNIST DDAR model at backbone width 0.5, geometry 'integral' (the default) or 'displacement'."""

    def __init__(self, geometry='integral', width=32, max_displacement=3.5, size=28):
        super().__init__()
        self.geometry = geometry
        d_a, d_g = (8, 64) if geometry == 'integral' else (64, 16)
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
        self.conv2 = nn.Conv2d(16, 32, 5, padding=2)
        self.embedding = nn.Linear(32 * 7 * 7, 512)
        self.appearance = nn.Linear(512, d_a)
        self.geometric = nn.Linear(512, d_g)
        self.logits = nn.Linear(d_a, 10)
        self.width = width
        self.app_dense = nn.Linear(d_a, 7 * 7 * width)
        self.app_conv1 = nn.Conv2d(width, width // 2, 3, padding=1)
        self.app_out = nn.Conv2d(width // 2, 1, 3, padding=1)
        self.geo_dense = nn.Linear(d_g, 7 * 7 * width)
        self.geo_conv = nn.Conv2d(width, width, 3, padding=1)
        self.geo_field = nn.Conv2d(width, 2, 3, padding=1)
        # As in geometric_decoder.ts: the field's last conv starts small, the affine decoder at zero.
        nn.init.normal_(self.geo_field.weight, 0, 1e-3)
        nn.init.zeros_(self.geo_field.bias)
        if geometry == 'integral':
            self.affine = nn.Linear(d_g, 6)
            nn.init.zeros_(self.affine.weight)
            nn.init.zeros_(self.affine.bias)
        self.max_displacement = max_displacement
        self.size = size
        self.register_buffer('upsample', legacy_bilinear_matrix(7, size))  # [28, 7], both axes
        self.register_buffer('running_sum', centred_running_sum(size))  # [28, 28], both axes (square images)
        ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float32), torch.arange(size, dtype=torch.float32), indexing='ij')
        half = half_extent(size)
        self.register_buffer('pixel_x', xs)
        self.register_buffer('pixel_y', ys)
        self.register_buffer('identity_u', (xs - (size - 1) / 2) / half)
        self.register_buffer('identity_v', (ys - (size - 1) / 2) / half)

    def encode(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        h = F.relu(self.embedding(torch.flatten(h, 1)))
        return self.appearance(h), self.geometric(h)

    def classify(self, x):
        return self.logits(self.encode(x)[0])

    def upsample4(self, field):
        """tfjs-layers' upSampling2d({ size: [4, 4], interpolation: 'bilinear' }) of [N, C, 7, 7]."""
        return torch.matmul(torch.matmul(self.upsample, field), self.upsample.t())

    def forward(self, x):
        """The network's outputs: logits, template, the field decoder's output and (integral) the affine decoder's."""
        z_a, z_g = self.encode(x)
        n = x.shape[0]
        t = F.relu(self.app_dense(z_a)).view(n, self.width, 7, 7)
        t = F.interpolate(t, scale_factor=2, mode='nearest')
        t = F.relu(self.app_conv1(t))
        t = F.interpolate(t, scale_factor=2, mode='nearest')
        template = torch.sigmoid(self.app_out(t))
        g = F.relu(self.geo_dense(z_g)).view(n, self.width, 7, 7)
        g = F.relu(self.geo_conv(g))
        g = self.geo_field(g)
        if self.geometry == 'integral':
            return self.logits(z_a), template, self.upsample4(g), self.affine(z_g)
        return self.logits(z_a), template, self.upsample4(torch.tanh(g) * self.max_displacement), None

    def decoding(self, template, field, affine):
        """DDARModel.decoding: the warp (as a displacement in pixels, [N, 2 (dx, dy), H, W]) and the reconstruction."""
        if self.geometry == 'displacement':
            return {'displacement': field, 'reconstruction': warp(template, field, self.pixel_x, self.pixel_y)}
        increments = 2 * torch.sigmoid(field)  # [N, 2 (x steps, y steps), H, W]
        residual = torch.tanh(affine)  # [N, 6]
        u = torch.matmul(increments[:, 0], self.running_sum)  # running sum along x of each row
        v = torch.matmul(self.running_sum.t(), increments[:, 1])  # along y of each column
        r = [residual[:, k].view(-1, 1, 1) for k in range(6)]
        mapped_u = (r[0] + 1) * u + r[1] * v + r[2]
        mapped_v = r[3] * u + (r[4] + 1) * v + r[5]
        half = half_extent(self.size)
        displacement = torch.stack([(mapped_u - self.identity_u) * half, (mapped_v - self.identity_v) * half], dim=1)
        return {
            'displacement': displacement,
            'reconstruction': warp(template, displacement, self.pixel_x, self.pixel_y),
            'warpIncrements': increments,
            'affineResidual': residual,
        }


def warp(template, displacement, pixel_x, pixel_y):
    """Bilinear warp in pixel units with zero fill, as @ddar/disentangle's warp: reads (x + dx, y + dy)."""
    _, _, h, w = template.shape
    gx = (pixel_x + displacement[:, 0]) * (2.0 / (w - 1)) - 1.0
    gy = (pixel_y + displacement[:, 1]) * (2.0 / (h - 1)) - 1.0
    grid = torch.stack([gx, gy], dim=-1)
    return F.grid_sample(template, grid, mode='bilinear', padding_mode='zeros', align_corners=True)


def total_variation(field):
    """totalVariation(field, 'anisotropic') of @ddar/losses: channels summed, mean over the N*H*W positions."""
    n, _, h, w = field.shape
    dx = (field[:, :, :, 1:] - field[:, :, :, :-1]).abs().sum()
    dy = (field[:, :, 1:, :] - field[:, :, :-1, :]).abs().sum()
    return (dx + dy) / (n * h * w)


def bias_reduction(values, identity):
    """biasReduction of @ddar/losses: |batch mean - identity|^2 summed over the K components, mean over positions."""
    k = values.shape[1]
    positions = values[0].numel() // k
    return ((values.mean(0) - identity) ** 2).sum() / positions


def ddar_loss_terms(model, x, y):
    """ddarObjective with the model's default weights: the unweighted terms, and the total of those with a positive weight."""
    logits, template, field, affine = model(x)
    decoded = model.decoding(template, field, affine)
    n, _, h, w = x.shape
    terms = {
        'classification': F.cross_entropy(logits, y),
        'reconstruction': F.mse_loss(decoded['reconstruction'], x),
        'smoothness': total_variation(decoded.get('warpIncrements', decoded['displacement'])),
        'magnitude': (decoded['displacement'] ** 2).sum() / (n * h * w),
    }
    if model.geometry == 'integral':
        terms['biasReduction'] = bias_reduction(decoded['affineResidual'], 0) + bias_reduction(decoded['warpIncrements'], 1)
    weights = LOSS_WEIGHTS[model.geometry]
    total = sum(weights[name] * term for name, term in terms.items() if weights[name] > 0)
    return total, terms, logits


def ddar_loss(model, x, y):
    return ddar_loss_terms(model, x, y)[0]


def batches(batch):
    gen = torch.Generator().manual_seed(0)
    out = []
    for _ in range(0, IMAGES, batch):
        out.append((torch.rand(batch, 1, 28, 28, generator=gen), torch.randint(0, 10, (batch,), generator=gen)))
    return out


def train(model, loss_fn, batch, epochs):
    data = batches(batch)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = epochs * len(data)
    seconds = []
    loss_value = float('nan')
    for step in range(steps):
        x, y = data[step % len(data)]
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model, x, y)
        loss.backward()
        optimizer.step()
        loss_value = loss.item()
        seconds.append(time.perf_counter() - started)
    timed = seconds[1:]
    return {
        'images_per_s': len(timed) * batch / sum(timed),
        'batch': batch,
        'timed_steps': len(timed),
        's_per_step': sum(timed) / len(timed),
        'final_loss': loss_value,
        'parameters': sum(p.numel() for p in model.parameters()),
    }


def pgd(model, batch, steps=40, epsilon=0.3, repeats=3):
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(batch, 1, 28, 28, generator=gen)
    y = torch.randint(0, 10, (batch,), generator=gen)
    step_size = 2.5 * epsilon / steps

    def attack():
        adv = (x + torch.empty_like(x).uniform_(-epsilon, epsilon)).clamp(0, 1)
        for _ in range(steps):
            adv.requires_grad_(True)
            loss = F.cross_entropy(model.classify(adv), y)
            (grad,) = torch.autograd.grad(loss, adv)
            with torch.no_grad():
                adv = adv + step_size * grad.sign()
                adv = torch.min(torch.max(adv, x - epsilon), x + epsilon).clamp(0, 1)
        return adv.detach()

    attack()  # warm-up
    started = time.perf_counter()
    for _ in range(repeats):
        attack()
    elapsed = time.perf_counter() - started
    return {'images_per_s': repeats * batch / elapsed, 'batch': batch, 'steps': steps, 'epsilon': epsilon, 'repeats': repeats}


def matmul(size=512, repeats=15):
    """torch.mm (what nn.Linear runs: the build's BLAS, Debian's generic one here) and, for what this CPU can do with
    its widest vectors, the same product through oneDNN (mkldnn_linear on mkldnn tensors)."""
    a = torch.randn(size, size)
    b = torch.randn(size, size)
    a_mkldnn = a.to_mkldnn()
    b_mkldnn = b.t().contiguous().to_mkldnn()

    def median_seconds(product):
        for _ in range(3):
            product()
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            product()
            seconds.append(time.perf_counter() - started)
        return statistics.median(seconds)

    flop = 2 * size**3
    result = {'size': size, 'repeats': repeats, 'gflops': flop / median_seconds(lambda: torch.mm(a, b)) / 1e9}
    if torch.backends.mkldnn.is_available():
        result['onednn_gflops'] = flop / median_seconds(lambda: torch._C._nn.mkldnn_linear(a_mkldnn, b_mkldnn, None)) / 1e9
    return result


# --- parity with the tfjs model (bench/pytorch_parity.mjs) ---

# tfjs layer name -> (module attribute, how its input (dense after a flatten) or output (dense before a reshape) is ordered).
TFJS_LAYERS = {
    'smallCnn_conv1': ('conv1', None),
    'smallCnn_conv2': ('conv2', None),
    'smallCnn_embedding': ('embedding', 'input-hwc'),
    'appearance_code': ('appearance', None),
    'geometric_code': ('geometric', None),
    'logits': ('logits', None),
    'appearance_decoder_dense': ('app_dense', 'output-hwc'),
    'appearance_decoder_conv1': ('app_conv1', None),
    'appearance_decoder_output': ('app_out', None),
    'geometric_decoder_dense': ('geo_dense', 'output-hwc'),
    'geometric_decoder_conv': ('geo_conv', None),
    'geometric_decoder_field': ('geo_field', None),
    'affine_decoder': ('affine', None),
}


def to_torch_layout(kernel, bias, order, channels=32, side=7):
    """A tfjs Conv2D kernel [KH, KW, I, O] -> [O, I, KH, KW]; a Dense kernel [in, out] -> [out, in], with the
    flatten (input-hwc) or reshape (output-hwc) order of a [7, 7, C] map changed from (h, w, c) to (c, h, w)."""
    if kernel.dim() == 4:
        return kernel.permute(3, 2, 0, 1).contiguous(), bias
    if order == 'input-hwc':
        out = kernel.shape[1]
        kernel = kernel.view(side, side, channels, out).permute(2, 0, 1, 3).reshape(-1, out)
    elif order == 'output-hwc':
        inp = kernel.shape[0]
        kernel = kernel.view(inp, side, side, channels).permute(0, 3, 1, 2).reshape(inp, -1)
        bias = bias.view(side, side, channels).permute(2, 0, 1).reshape(-1)
    return kernel.t().contiguous(), bias


def straddling_samples(displacement, tfjs_displacement, model):
    """Sample coordinates (x and y counted apart) that fall in different pixel cells in the two warps: tfjs samples at
    the float32 sum identity + displacement, grid_sample at ((g + 1) / 2) * (size - 1) of the normalized g that
    warp() passes it. There the bilinear warp's derivative jumps (it is one-sided at pixel boundaries), so the weight
    gradients upstream of the displacement can differ by more than rounding; the values cannot."""
    size = model.size
    pixel = torch.stack([model.pixel_x, model.pixel_y])  # [2, H, W]
    tfjs_points = pixel + tfjs_displacement
    normalized = (pixel + displacement) * (2.0 / (size - 1)) - 1.0
    torch_points = ((normalized + 1) / 2) * (size - 1)
    return int((torch.floor(tfjs_points) != torch.floor(torch_points)).sum().item())


def parity(directory):
    with open(os.path.join(directory, 'manifest.json')) as f:
        manifest = json.load(f)
    with open(os.path.join(directory, 'tensors.bin'), 'rb') as f:
        blob = bytearray(f.read())
    every = torch.frombuffer(blob, dtype=torch.float32)

    def tensor(entry):
        return every[entry['offset']:entry['offset'] + entry['size']].clone().view(entry['shape'])

    model = DDARModel(manifest['geometry'])
    modules = dict(model.named_modules())
    tfjs_gradients = {}
    loaded = set()
    for layer in manifest['layers']:
        attribute, order = TFJS_LAYERS[layer['name']]
        module = modules[attribute]
        kernel, bias = to_torch_layout(tensor(layer['kernel']), tensor(layer['bias']), order)
        with torch.no_grad():
            module.weight.copy_(kernel)
            module.bias.copy_(bias)
        loaded.update([f'{attribute}.weight', f'{attribute}.bias'])
        if 'kernelGradient' in layer:
            g_kernel, g_bias = to_torch_layout(tensor(layer['kernelGradient']), tensor(layer['biasGradient']), order)
            tfjs_gradients[f'{attribute}.weight'] = g_kernel
            tfjs_gradients[f'{attribute}.bias'] = g_bias
    names = [name for name, _ in model.named_parameters()]
    missing = sorted(set(names) - loaded)
    if missing:
        raise SystemExit(f'parity: no tfjs weights for {missing}')

    images = tensor(manifest['images']).permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW
    labels = torch.tensor(manifest['labels'], dtype=torch.long)
    total, terms, logits = ddar_loss_terms(model, images, labels)
    total.backward()
    tfjs = manifest['tfjs']

    def relative(ours, theirs):
        return abs(ours - theirs) / max(abs(ours), 1e-30)

    tfjs_logits = torch.tensor(tfjs['logits'], dtype=torch.float32)
    logit_difference = (logits.detach() - tfjs_logits).abs().max().item()
    result = {
        'torch': torch.__version__,
        'geometry': manifest['geometry'],
        'state': manifest.get('state'),
        'batch': images.shape[0],
        'parameters': {'tfjs': manifest['parameters'], 'pytorch': sum(p.numel() for p in model.parameters())},
        'terms': {
            name: {'tfjs': tfjs['terms'][name], 'pytorch': terms[name].item(), 'relative': relative(tfjs['terms'][name], terms[name].item())}
            for name in terms
        },
        'total': {'tfjs': tfjs['total'], 'pytorch': total.item(), 'relative': relative(tfjs['total'], total.item())},
        'logits': {'max_abs_difference': logit_difference, 'max_abs': tfjs_logits.abs().max().item(),
                   'relative': logit_difference / max(tfjs_logits.abs().max().item(), 1e-30)},
    }
    if tfjs_gradients:
        gradients = {}
        for name, parameter in model.named_parameters():
            ours = tfjs_gradients[name]
            theirs = parameter.grad
            gradients[name] = (ours - theirs).norm().item() / max(ours.norm().item(), 1e-30)
        result['gradients'] = {'relative_norm_difference': gradients, 'max': max(gradients.values())}
    with torch.no_grad():
        decoded = model.decoding(*model(images)[1:])
        displacement = decoded['displacement']
        tfjs_displacement = tensor(manifest['displacement']).permute(0, 3, 1, 2)  # [N, H, W, 2] -> [N, 2, H, W]
        result['warp'] = {
            'max_abs_displacement_px': displacement.abs().max().item(),
            'max_abs_displacement_difference_px': (displacement - tfjs_displacement).abs().max().item(),
            'straddling_samples': straddling_samples(displacement, tfjs_displacement, model),
            'samples': displacement.numel(),
        }
        if 'affineResidual' in decoded:
            result['warp']['max_abs_affine_residual'] = decoded['affineResidual'].abs().max().item()
            increments = decoded['warpIncrements']
            result['warp']['increments_range'] = [increments.min().item(), increments.max().item()]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', choices=['reference', 'ddar', 'ddar-displacement', 'pgd', 'pgd-displacement', 'matmul', 'all'], default='all')
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--parity', metavar='DIR', help='compare with the tfjs model exported by bench/pytorch_parity.mjs into DIR')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.parity:
        json.dump(parity(args.parity), sys.stdout)
        sys.stdout.write('\n')
        return
    result = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'load_average': list(os.getloadavg()),
    }
    if args.model in ('reference', 'all'):
        result['reference'] = train(ReferenceModel(), lambda m, x, y: F.cross_entropy(m(x), y), 128, args.epochs)
    if args.model in ('ddar', 'all'):
        result['ddar'] = train(DDARModel('integral'), ddar_loss, 64, args.epochs)
    if args.model == 'ddar-displacement':
        result['ddar'] = train(DDARModel('displacement'), ddar_loss, 64, args.epochs)
    if args.model in ('pgd', 'all'):
        result['pgd40'] = pgd(DDARModel('integral'), 128)
    if args.model == 'pgd-displacement':
        result['pgd40'] = pgd(DDARModel('displacement'), 128)
    if args.model in ('matmul', 'all'):
        result['matmul'] = matmul()
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
