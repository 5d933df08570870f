#!/usr/bin/env python3
"""PyTorch (CPU) reference for the throughput benchmarks of apps/perf.

Trains, on the same random data sizes and with the same architecture, batch size and optimizer as
bench/throughput.mjs and bench/ddar_throughput.mjs, and prints one JSON object on stdout:

    python3 bench/pytorch_reference.py [--model reference|ddar|pgd|all] [--epochs 2] [--threads 2]

- reference: conv 3x3 32 valid + relu, maxpool 2, conv 3x3 64 stride 2 'same' (pad 1) + relu,
  flatten, dense 128 relu, dense 10 softmax (cross-entropy on the logits); Adam 1e-3; batch 128;
  2048 random 28x28x1 images.
- ddar: a port of `DDARModel.create({ inputShape: [28, 28, 1], numClasses: 10,
  backboneOptions: { width: 0.5 } })` (packages/disentangle/src): backbone smallCnn at width 0.5
  (conv 5x5 16 same + relu, maxpool 2, conv 5x5 32 same + relu, maxpool 2, flatten, dense 512 relu),
  appearance head dense 64, geometric head dense 16, logits dense 10 on the appearance code,
  appearance decoder (dense 7*7*32 relu, 2x nearest, conv 3x3 16 relu, 2x nearest, conv 3x3 1
  sigmoid), geometric decoder (dense 7*7*32 relu, conv 3x3 32 relu, conv 3x3 2 tanh, x 3.5,
  4x bilinear), warp of the template by the field (pixels, zero border) with grid_sample
  (align_corners=True, i.e. first-to-last pixel centre), loss = CE + MSE + 0.01 * anisotropic TV of
  the field (mean over positions). Adam 1e-3, batch 64, 2048 random images.
- pgd: PGD-40 (L-inf, eps 0.3, step 2.5 * eps / 40, random start) against the DDAR model's
  classification path (backbone -> appearance head -> logits), batch 128.

The first step of each measurement is a warm-up and is not timed, as in the Node benchmarks.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

IMAGES = 2048


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


class DDARModel(nn.Module):
    """The MNIST DDAR model at backbone width 0.5 (see the module docstring)."""

    def __init__(self, d_a=64, d_g=16, width=32, max_displacement=3.5):
        super().__init__()
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
        self.max_displacement = max_displacement

    def encode(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        h = F.relu(self.embedding(torch.flatten(h, 1)))
        return self.appearance(h), self.geometric(h)

    def classify(self, x):
        return self.logits(self.encode(x)[0])

    def forward(self, x):
        z_a, z_g = self.encode(x)
        n = x.shape[0]
        t = F.relu(self.app_dense(z_a)).view(n, self.width, 7, 7)
        t = F.interpolate(t, scale_factor=2, mode='nearest')
        t = F.relu(self.app_conv1(t))
        t = F.interpolate(t, scale_factor=2, mode='nearest')
        template = torch.sigmoid(self.app_out(t))
        g = F.relu(self.geo_dense(z_g)).view(n, self.width, 7, 7)
        g = F.relu(self.geo_conv(g))
        g = torch.tanh(self.geo_field(g)) * self.max_displacement
        field = F.interpolate(g, scale_factor=4, mode='bilinear', align_corners=False)  # [N, 2 (dx, dy), 28, 28]
        return self.logits(z_a), template, field


def warp(template, field):
    """Bilinear warp in pixel units with zero fill, as @ddar/disentangle's warp: reads (x + dx, y + dy)."""
    n, _, h, w = template.shape
    ys, xs = torch.meshgrid(torch.arange(h, dtype=template.dtype), torch.arange(w, dtype=template.dtype), indexing='ij')
    gx = (xs + field[:, 0]) * (2.0 / (w - 1)) - 1.0
    gy = (ys + field[:, 1]) * (2.0 / (h - 1)) - 1.0
    grid = torch.stack([gx, gy], dim=-1)
    return F.grid_sample(template, grid, mode='bilinear', padding_mode='zeros', align_corners=True)


def total_variation(field):
    n, _, h, w = field.shape
    dx = (field[:, :, :, 1:] - field[:, :, :, :-1]).abs().sum()
    dy = (field[:, :, 1:, :] - field[:, :, :-1, :]).abs().sum()
    return (dx + dy) / (n * h * w)


def ddar_loss(model, x, y):
    logits, template, field = model(x)
    return F.cross_entropy(logits, y) + F.mse_loss(warp(template, field), x) + 0.01 * total_variation(field)


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', choices=['reference', 'ddar', 'pgd', 'all'], default='all')
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    result = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'load_average': list(os.getloadavg()),
    }
    if args.model in ('reference', 'all'):
        result['reference'] = train(ReferenceModel(), lambda m, x, y: F.cross_entropy(m(x), y), 128, args.epochs)
    if args.model in ('ddar', 'all'):
        result['ddar'] = train(DDARModel(), ddar_loss, 64, args.epochs)
    if args.model in ('pgd', 'all'):
        result['pgd40'] = pgd(DDARModel(), 128)
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
