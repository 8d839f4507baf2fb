"""Optimizer fixtures: three steps of torch.optim.SGD / Adam / AdamW on one parameter with given
gradients; the parameter after each step is stored. Run: /usr/bin/python3 tools/nn_fixtures/optim.py"""
import torch

from common import randn, save

STEPS = 3
CONFIGS = [
    ('sgd_plain', 'SGD', dict(lr=0.1)),
    ('sgd_momentum', 'SGD', dict(lr=0.05, momentum=0.9)),
    ('sgd_dampening_wd', 'SGD', dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    ('sgd_nesterov', 'SGD', dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ('adam_default', 'Adam', dict(lr=1e-3)),
    ('adam_wd_betas', 'Adam', dict(lr=1e-2, betas=(0.5, 0.999), eps=1e-6, weight_decay=0.05)),
    ('adamw_default', 'AdamW', dict(lr=1e-3)),
    ('adamw_wd', 'AdamW', dict(lr=5e-3, betas=(0.8, 0.99), weight_decay=0.1)),
]

cases = []
g = torch.Generator().manual_seed(12)
for name, kind, kw in CONFIGS:
    p = torch.nn.Parameter(randn(37, generator=g))
    tensors = {'param0': p.detach().clone()}
    opt = getattr(torch.optim, kind)([p], **kw)
    for s in range(STEPS):
        grad = randn(37, generator=g, scale=0.5 if s else 1e-3)
        tensors[f'grad{s + 1}'] = grad
        p.grad = grad.clone()
        opt.step()
        tensors[f'param{s + 1}'] = p.detach().clone()
    params = {'optimizer': kind, **{k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()}}
    cases.append({'name': name, 'params': params, 'tensors': tensors})
save('optim', cases)
