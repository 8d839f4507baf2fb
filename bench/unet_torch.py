"""PyTorch's side of the U-Net training-step benchmark (bench/suites/nn.ts, issue 12): a 4-level
U-Net with batch norm (base 32, 2 input channels, ConvTranspose up-sampling), a segmentation
head (1×1 conv, BCE with logits) and a survival head (global average pool of the bottleneck,
linear, Cox partial likelihood with Breslow ties), trained with Adam. Prints one JSON object:
{"torch": version, "threads": n, "step_ms": mean, "steps": k, "peak_rss_mb": ...,
 "base_rss_mb": ...} where peak is the process's high-water RSS and base the RSS before the
model and data existed.
    /usr/bin/python3 bench/unet_torch.py '{"threads": 2, "batch": 8, "size": 128, "base": 32, "steps": 5}'"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn


def rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, cin=2, base=32, levels=4):
        super().__init__()
        widths = [base * 2 ** i for i in range(levels)]
        self.down = nn.ModuleList()
        c = cin
        for w in widths:
            self.down.append(block(c, w))
            c = w
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for w in reversed(widths[:-1]):
            self.up.append(nn.ConvTranspose2d(w * 2, w, 2, stride=2))
            self.dec.append(block(w * 2, w))
        self.seg = nn.Conv2d(base, 1, 1)
        self.risk = nn.Linear(widths[-1], 1)

    def forward(self, x):
        skips = []
        for i, blk in enumerate(self.down):
            x = blk(x)
            if i < len(self.down) - 1:
                skips.append(x)
                x = self.pool(x)
        risk = self.risk(x.mean(dim=(2, 3))).squeeze(1)
        for up, dec in zip(self.up, self.dec):
            x = dec(torch.cat([up(x), skips.pop()], dim=1))
        return self.seg(x), risk


def cox_breslow(risk, time, event):
    """Negative Cox partial log-likelihood (Breslow ties), mean over events."""
    order = torch.argsort(time, descending=True)
    r, e, t = risk[order], event[order], time[order]
    log_cum = torch.logcumsumexp(r, dim=0)
    # Breslow: subjects tied in time share the risk set of the last of them in this order.
    last = torch.zeros_like(t, dtype=torch.long)
    for i in range(len(t) - 1, -1, -1):
        last[i] = i if i == len(t) - 1 or t[i + 1] != t[i] else last[i + 1]
    return -((r - log_cum[last]) * e).sum() / e.sum().clamp(min=1)


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec['threads'])
    base_rss = rss_mb()
    g = torch.Generator().manual_seed(0)
    n, size = spec['batch'], spec['size']
    model = UNet(2, spec['base'])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(n, 2, size, size, generator=g)
    mask = (torch.rand(n, 1, size, size, generator=g) < 0.1).float()
    time_ = torch.rand(n, generator=g) * 10
    event = (torch.rand(n, generator=g) < 0.7).float()
    bce = nn.BCEWithLogitsLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        seg, risk = model(x)
        loss = bce(seg, mask) + cox_breslow(risk, time_, event)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(2):
        step()
    steps = spec['steps']
    start = time.perf_counter()
    for _ in range(steps):
        step()
    step_ms = (time.perf_counter() - start) / steps * 1e3
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'step_ms': step_ms,
                      'steps': steps, 'peak_rss_mb': peak, 'base_rss_mb': base_rss}))


main()
