"""PyTorch's side of bench/suites/nn_ops.ts: the same ops at the same shape, on the thread count
given as argv[1]. Prints {"torch", "threads", "ms": {case name: mean ms}} as JSON. Backward cases
time forward + autograd.grad, as ours do."""
import json
import sys
import time

import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
x = torch.rand(8, 32, 128, 128).sub_(0.5).requires_grad_()
y = torch.rand(8, 32, 128, 128).sub_(0.5)
b = torch.rand(1, 32, 1, 1).sub_(0.5)
w = torch.rand(32).sub_(0.5).requires_grad_()
bias = torch.rand(32).sub_(0.5).requires_grad_()
logits = torch.rand(8, 1, 128, 128).sub_(0.5).requires_grad_()
target = torch.full((8, 1, 128, 128), 0.25)


def maxpool_fwd_bwd():
    p = F.max_pool2d(x, 2)
    return torch.autograd.grad(p, [x], torch.ones_like(p))


cases = {
    'relu fwd': lambda: F.relu(x.detach()),
    'relu bwd': lambda: torch.autograd.grad(F.relu(x), [x], y),
    'add': lambda: x.detach() + y,
    'add bias [1,32,1,1]': lambda: x.detach() + b,
    'mul': lambda: x.detach() * y,
    'sum over N,H,W': lambda: x.detach().sum((0, 2, 3)),
    'batchNorm train fwd': lambda: F.batch_norm(x.detach(), None, None, w.detach(), bias.detach(), training=True),
    'batchNorm fwd+bwd': lambda: torch.autograd.grad(F.batch_norm(x, None, None, w, bias, training=True), [x, w, bias], y),
    'maxPool 2 fwd': lambda: F.max_pool2d(x.detach(), 2),
    'maxPool 2 fwd+bwd': maxpool_fwd_bwd,
    'concat channels': lambda: torch.cat([x.detach(), y], 1),
    'bceWithLogits fwd+bwd 8×1×128²': lambda: torch.autograd.grad(F.binary_cross_entropy_with_logits(logits, target), [logits]),
}
ms = {}
for name, fn in cases.items():
    fn()
    reps, t0 = 0, time.perf_counter()
    while reps < 5 or time.perf_counter() - t0 < 1.0:
        fn()
        reps += 1
    ms[name] = (time.perf_counter() - t0) / reps * 1000
print(json.dumps({'torch': torch.__version__, 'threads': threads, 'ms': ms}))
