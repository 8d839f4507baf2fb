"""Fixtures for lib/nn/ops/conv.ts and linear.ts: PyTorch 1.13's conv1d/2d/3d,
conv_transpose2d/3d and linear — forward and the gradients of input, weight and bias for a
random upstream gradient gy (loss = sum(y · gy)) — plus a double-backward case (the WGAN-GP
shape): the gradient with respect to w, b and x of ‖∂ sum(conv(x, w, b)²) / ∂x‖².
    /usr/bin/python3 tools/nn_fixtures/conv.py   →   test/fixtures/nn/conv.json"""
import torch
import torch.nn.functional as F

from common import randn, save

g = torch.Generator().manual_seed(12)


def leaf(*shape, scale=1.0):
    return randn(*shape, generator=g, scale=scale).requires_grad_(True)


def first_order(name, fn, x, w, b, params):
    y = fn(x, w, b)
    gy = randn(*y.shape, generator=g)
    inputs = [t for t in (x, w, b) if t is not None]
    grads = torch.autograd.grad(y, inputs, gy)
    tensors = {'x': x, 'w': w, 'y': y, 'gy': gy, 'gx': grads[0], 'gw': grads[1]}
    if b is not None:
        tensors['b'] = b
        tensors['gb'] = grads[2]
    return {'name': name, 'params': params, 'tensors': tensors}


def conv_case(name, dims, n, cin, cout, size, kernel, stride=1, padding=0, dilation=1, bias=True):
    fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[dims]
    k = kernel if isinstance(kernel, (list, tuple)) else [kernel] * dims
    x = leaf(n, cin, *size)
    w = leaf(cout, cin, *k, scale=0.3)
    b = leaf(cout) if bias else None
    params = {'op': 'conv', 'stride': stride, 'padding': padding, 'dilation': dilation}
    return first_order(name, lambda x, w, b: fn(x, w, b, stride=stride, padding=padding, dilation=dilation), x, w,
                       b, params)


def conv_transpose_case(name, dims, n, cin, cout, size, kernel, stride=1, padding=0, output_padding=0, dilation=1,
                        bias=True):
    fn = {2: F.conv_transpose2d, 3: F.conv_transpose3d}[dims]
    k = kernel if isinstance(kernel, (list, tuple)) else [kernel] * dims
    x = leaf(n, cin, *size)
    w = leaf(cin, cout, *k, scale=0.3)
    b = leaf(cout) if bias else None
    params = {'op': 'convTranspose', 'stride': stride, 'padding': padding, 'outputPadding': output_padding,
              'dilation': dilation}
    return first_order(name, lambda x, w, b: fn(x, w, b, stride=stride, padding=padding,
                                                 output_padding=output_padding, dilation=dilation), x, w, b, params)


def linear_case(name, n, fin, fout, bias=True):
    x = leaf(n, fin)
    w = leaf(fout, fin, scale=0.3)
    b = leaf(fout) if bias else None
    return first_order(name, lambda x, w, b: F.linear(x, w, b), x, w, b, {'op': 'linear'})


def double_backward_case():
    # In float64 (from float32 inputs): the penalty's gradient has elements that cancel to 1e-4 of
    # the tensor's scale, where float32 rounding of either side would dominate the comparison.
    x = leaf(2, 2, 6, 6).detach().double().requires_grad_(True)
    w = leaf(3, 2, 3, 3, scale=0.3).detach().double().requires_grad_(True)
    b = leaf(3).detach().double().requires_grad_(True)
    params = {'op': 'doubleBackward', 'stride': 1, 'padding': 1, 'dilation': 1}
    y = F.conv2d(x, w, b, padding=1)
    (gx,) = torch.autograd.grad((y * y).sum(), x, create_graph=True)
    penalty = (gx * gx).sum()
    ggx, ggw, ggb = torch.autograd.grad(penalty, [x, w, b])
    return {'name': 'conv2d double backward', 'params': params,
            'tensors': {'x': x, 'w': w, 'b': b, 'inner_gx': gx, 'penalty': penalty.reshape(1), 'gx': ggx,
                        'gw': ggw, 'gb': ggb}}


cases = [
    conv_case('conv1d k3 s2 p1', 1, 2, 3, 4, [11], 3, stride=2, padding=1),
    conv_case('conv2d k3 p1', 2, 2, 3, 4, [7, 6], 3, padding=1),
    conv_case('conv2d k3x2 s2 p2 d2 no bias', 2, 2, 3, 4, [10, 9], [3, 2], stride=2, padding=2, dilation=2,
              bias=False),
    conv_case('conv2d 1x1', 2, 2, 5, 3, [4, 6], 1),
    conv_case('conv3d k3 s(1,2,1) p1', 3, 1, 2, 3, [5, 6, 4], 3, stride=(1, 2, 1), padding=1),
    conv_case('conv3d k3 d2 p2', 3, 1, 2, 2, [6, 5, 4], 3, padding=2, dilation=2),
    conv_case('conv2d k4 s2 p1 (phases)', 2, 2, 3, 4, [9, 8], 4, stride=2, padding=1),
    conv_case('conv3d k4 s2 p1 (phases)', 3, 1, 2, 3, [6, 7, 5], 4, stride=2, padding=1),
    conv_transpose_case('convTranspose2d k4 s2 p1 op1 (phases)', 2, 2, 3, 2, [4, 3], 4, stride=2, padding=1,
                        output_padding=1),
    conv_transpose_case('convTranspose2d k3 s2 p1 op1', 2, 2, 3, 2, [4, 5], 3, stride=2, padding=1,
                        output_padding=1),
    conv_transpose_case('convTranspose2d k3 d2 p1', 2, 1, 3, 2, [5, 4], 3, padding=1, dilation=2, bias=False),
    conv_transpose_case('convTranspose2d k2 s2', 2, 2, 4, 3, [3, 4], 2, stride=2),
    conv_transpose_case('convTranspose3d k2 s2', 3, 1, 3, 2, [2, 3, 2], 2, stride=2),
    conv_transpose_case('convTranspose3d k3 s2 p1 op(1,0,1)', 3, 1, 2, 2, [3, 2, 3], 3, stride=2, padding=1,
                        output_padding=(1, 0, 1)),
    linear_case('linear 7→3', 5, 7, 3),
    linear_case('linear 4→6 no bias', 3, 4, 6, bias=False),
    double_backward_case(),
]
save('conv', cases)
