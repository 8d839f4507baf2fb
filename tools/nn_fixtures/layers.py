"""PyTorch fixtures for batch norm, pooling and nearest up-sampling (test/fixtures/nn/layers.json).
Each case stores the inputs, a random upstream gradient `r` (the loss is sum(y·r)), the forward
output and every gradient; pooling and up-sampling cases also store a second-order gradient:
with L = sum(y²·r), gx = ∂L/∂x (create_graph) and M = sum(gx·v), `ggx` = ∂M/∂x."""
import torch
import torch.nn.functional as F

from common import randn, save

g = torch.Generator().manual_seed(20261203)
cases = []


def batch_norm_case(name, shape, training):
    c = shape[1]
    x = randn(*shape, generator=g, scale=2.0).add_(0.5).requires_grad_()
    w = (randn(c, generator=g) * 0.5 + 1).requires_grad_()
    b = randn(c, generator=g).requires_grad_()
    rm = randn(c, generator=g)
    rv = randn(c, generator=g).abs_() + 0.5
    rm0, rv0 = rm.clone(), rv.clone()
    y = F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.1, eps=1e-5)
    r = randn(*y.shape, generator=g)
    gx, gw, gb = torch.autograd.grad((y * r).sum(), [x, w, b])
    cases.append({'name': name, 'params': {'op': 'batchNorm', 'training': training},
                  'tensors': {'x': x, 'weight': w, 'bias': b, 'running_mean': rm0, 'running_var': rv0, 'r': r, 'y': y,
                              'running_mean_after': rm, 'running_var_after': rv, 'gx': gx, 'gw': gw, 'gb': gb}})


def second_order_case(name, op, params, shape, fn):
    x = randn(*shape, generator=g).requires_grad_()
    y = fn(x)
    r = randn(*y.shape, generator=g)
    gx, = torch.autograd.grad((y * r).sum(), [x], retain_graph=True)
    gx2, = torch.autograd.grad((y * y * r).sum(), [x], create_graph=True)
    v = randn(*shape, generator=g)
    ggx, = torch.autograd.grad((gx2 * v).sum(), [x])
    cases.append({'name': name, 'params': dict(op=op, **params),
                  'tensors': {'x': x, 'r': r, 'y': y, 'gx': gx, 'v': v, 'ggx': ggx}})


batch_norm_case('batch_norm2d train', (3, 4, 5, 6), True)
batch_norm_case('batch_norm2d eval', (3, 4, 5, 6), False)
batch_norm_case('batch_norm1d train', (8, 5), True)
batch_norm_case('batch_norm3d train', (2, 3, 4, 3, 5), True)

for name, params, shape in [
    ('max_pool2d k2', {'kernel': 2}, (2, 3, 8, 8)),
    ('max_pool2d k3 s2 p1', {'kernel': 3, 'stride': 2, 'padding': 1}, (2, 2, 9, 7)),
    ('max_pool3d k2', {'kernel': 2}, (1, 2, 4, 6, 6)),
    ('max_pool2d k(2,3) s1', {'kernel': [2, 3], 'stride': 1}, (1, 2, 5, 6)),
]:
    pool = F.max_pool3d if len(shape) == 5 else F.max_pool2d
    second_order_case(name, 'maxPool', params, shape,
                      lambda x, p=params, f=pool: f(x, p['kernel'], p.get('stride'), p.get('padding', 0)))

for name, params, shape in [
    ('avg_pool2d k3 s2 p1', {'kernel': 3, 'stride': 2, 'padding': 1}, (2, 3, 9, 8)),
    ('avg_pool3d k2', {'kernel': 2}, (1, 2, 4, 6, 6)),
]:
    pool = F.avg_pool3d if len(shape) == 5 else F.avg_pool2d
    second_order_case(name, 'avgPool', params, shape,
                      lambda x, p=params, f=pool: f(x, p['kernel'], p.get('stride'), p.get('padding', 0)))

second_order_case('adaptive_avg_pool2d(1)', 'adaptiveAvgPool1', {}, (2, 3, 5, 7), lambda x: F.adaptive_avg_pool2d(x, 1))
second_order_case('adaptive_avg_pool3d(1)', 'adaptiveAvgPool1', {}, (2, 3, 3, 4, 5), lambda x: F.adaptive_avg_pool3d(x, 1))
second_order_case('upsample nearest 2d x2', 'upsampleNearest', {'scale': 2}, (2, 3, 4, 5),
                  lambda x: F.interpolate(x, scale_factor=2, mode='nearest'))
second_order_case('upsample nearest 2d (2,3)', 'upsampleNearest', {'scale': [2, 3]}, (1, 2, 3, 4),
                  lambda x: F.interpolate(x, scale_factor=(2, 3), mode='nearest'))
second_order_case('upsample nearest 3d x2', 'upsampleNearest', {'scale': 2}, (1, 2, 3, 4, 2),
                  lambda x: F.interpolate(x, scale_factor=2, mode='nearest'))

save('layers', cases)
