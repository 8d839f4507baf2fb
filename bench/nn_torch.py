"""PyTorch's side of the nn bench suite (bench/suites/nn.ts): times the same GEMMs and conv2d
forward+backward on this machine and prints one JSON object, {"torch": version, "threads": n,
"ms": {case name: mean ms}}. Run by the suite with Debian's /usr/bin/python3:
    /usr/bin/python3 bench/nn_torch.py '<json spec>'
spec: {"threads": n, "gemm": [size, ...], "gemmOneThread": [size, ...],
       "conv": [[name, N, Cin, Cout, H, W, k, pad], ...]}"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def mean_ms(fn, min_time=1.0, min_reps=3):
    fn()
    fn()
    reps, start = 0, time.perf_counter()
    while reps < min_reps or time.perf_counter() - start < min_time:
        fn()
        reps += 1
    return (time.perf_counter() - start) / reps * 1e3


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec['threads'])
    g = torch.Generator().manual_seed(1)
    out = {}
    for n in spec['gemm']:
        a = torch.randn(n, n, generator=g)
        b = torch.randn(n, n, generator=g)
        c = torch.empty(n, n)
        out[f'gemm {n}'] = mean_ms(lambda: torch.mm(a, b, out=c))
    torch.set_num_threads(1)
    for n in spec.get('gemmOneThread', []):
        a = torch.randn(n, n, generator=g)
        b = torch.randn(n, n, generator=g)
        c = torch.empty(n, n)
        out[f'gemm {n} 1 thread'] = mean_ms(lambda: torch.mm(a, b, out=c))
    torch.set_num_threads(spec['threads'])
    for name, n, cin, cout, h, w, k, pad in spec['conv']:
        x = torch.randn(n, cin, h, w, generator=g).requires_grad_(True)
        weight = (torch.randn(cout, cin, k, k, generator=g) * 0.05).requires_grad_(True)
        bias = torch.zeros(cout).requires_grad_(True)
        gy = torch.randn(n, cout, h, w, generator=g)

        def step():
            y = F.conv2d(x, weight, bias, padding=pad)
            torch.autograd.grad(y, [x, weight, bias], gy)

        out[name] = mean_ms(step)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'ms': out}))


if __name__ == '__main__':  # bench/nn_train_torch.py imports mean_ms
    main()
