"""PyTorch fixtures for the element-wise ops, activations, sums and losses
(test/fixtures/nn/ops.json). Each case stores the inputs, a random upstream gradient `r` (the
loss is sum(y·r)), the forward output, every first-order gradient (`g<input>`), and one
second-order gradient per input: with G = ∂sum(y·r)/∂inputs (create_graph) and M = Σ⟨G_k, v_k⟩,
`gg<input>` = ∂M/∂input (a Hessian-vector product; absent where torch's is identically zero or
undefined). Also a WGAN-GP gradient penalty through a small critic (the `gp` case)."""
import torch
import torch.nn.functional as F

from common import randn, save

g = torch.Generator().manual_seed(1213)
cases = []


def case(name, params, inputs, fn, second_order=True):
    """inputs: dict name → tensor (float ones get requires_grad); fn(**inputs) → y."""
    leaves = {k: v.clone().requires_grad_() for k, v in inputs.items() if v.dtype == torch.float32}
    y = fn(**{**inputs, **leaves})
    r = rn(list(y.shape))
    names = list(leaves)
    grads = torch.autograd.grad((y * r).sum(), [leaves[k] for k in names], create_graph=True, allow_unused=True)
    tensors = {**{k: v for k, v in inputs.items()}, 'r': r, 'y': y}
    for k, gk in zip(names, grads):
        tensors['g' + k] = gk if gk is not None else torch.zeros_like(leaves[k])
    if second_order:
        vs = {k: rn(list(leaves[k].shape)) for k in names}
        m = sum((gk * vs[k]).sum() for k, gk in zip(names, grads) if gk is not None and gk.requires_grad)
        if torch.is_tensor(m) and m.requires_grad:
            gg = torch.autograd.grad(m, [leaves[k] for k in names], allow_unused=True)
            for k, ggk in zip(names, gg):
                tensors['v' + k] = vs[k]
                tensors['gg' + k] = ggk if ggk is not None else torch.zeros_like(leaves[k])
    cases.append({'name': name, 'params': params, 'tensors': tensors})


def rn(shape, scale=1.0):
    """randn of any shape, the scalar shape [] included."""
    return randn(max(1, int(torch.tensor(shape).prod())), generator=g, scale=scale).reshape(shape)


def positive(*shape):
    return randn(*shape, generator=g).abs() + 0.3


def away_from_zero(*shape):
    x = rn(list(shape))
    return x.sign() * (x.abs() + 0.5)


# ---- binary ops with broadcasting ----
binary = {'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'div': torch.div}
for sa, sb in [([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [3, 1]), ([4], [2, 3, 4]), ([2, 1, 4], [1, 3, 1]), ([2, 3], [])]:
    for op, fn in binary.items():
        a = randn(*sa, generator=g)
        b = away_from_zero(*sb) if op == 'div' else rn(sb)
        case(f'{op} {sa} {sb}', {'op': op}, {'a': a, 'b': b}, lambda a, b, fn=fn: fn(a, b))

# ---- unary ops and activations ----
shape = [3, 5, 4]
unary = [
    ('neg', {}, randn(*shape, generator=g), lambda x: -x),
    ('square', {}, randn(*shape, generator=g), lambda x: x * x),
    ('sqrt', {}, positive(*shape), torch.sqrt),
    ('exp', {}, randn(*shape, generator=g), torch.exp),
    ('log', {}, positive(*shape), torch.log),
    ('pow', {'p': 3}, randn(*shape, generator=g), lambda x: torch.pow(x, 3)),
    ('pow', {'p': 0.5}, positive(*shape), lambda x: torch.pow(x, 0.5)),
    ('pow', {'p': -1.5}, positive(*shape), lambda x: torch.pow(x, -1.5)),
    ('addScalar', {'s': 0.75}, randn(*shape, generator=g), lambda x: x + 0.75),
    ('mulScalar', {'s': -1.25}, randn(*shape, generator=g), lambda x: x * -1.25),
    ('relu', {}, randn(*shape, generator=g), F.relu),
    ('leakyRelu', {}, randn(*shape, generator=g), F.leaky_relu),
    ('leakyRelu', {'slope': 0.2}, randn(*shape, generator=g), lambda x: F.leaky_relu(x, 0.2)),
    ('sigmoid', {}, randn(*shape, generator=g, scale=3.0), torch.sigmoid),
    ('tanh', {}, randn(*shape, generator=g, scale=2.0), torch.tanh),
    ('softplus', {}, randn(*shape, generator=g, scale=3.0), F.softplus),
    ('softplus', {'beta': 2, 'threshold': 1.5}, randn(*shape, generator=g), lambda x: F.softplus(x, 2, 1.5)),
]
for op, params, x, fn in unary:
    case(f'{op} {params}', {'op': op, **params}, {'x': x}, lambda x, fn=fn: fn(x))

# ---- sums, means, expand ----
x4 = [2, 3, 4, 5]
for dims, keep in [(None, False), ([1], False), ([0, 2, 3], True), ([-1], True), ([0, 3], False), ([1, 2], False)]:
    case(f'sum {dims} keep={keep}', {'op': 'sum', 'dims': dims, 'keepDim': keep}, {'x': randn(*x4, generator=g)},
         lambda x, dims=dims, keep=keep: x.sum() if dims is None else x.sum(dims, keepdim=keep))
    case(f'mean {dims} keep={keep}', {'op': 'mean', 'dims': dims, 'keepDim': keep}, {'x': randn(*x4, generator=g)},
         lambda x, dims=dims, keep=keep: x.mean() if dims is None else x.mean(dims, keepdim=keep))
for src, dst in [([3, 1], [2, 3, 4]), ([1, 4, 1], [2, 4, 5]), ([], [3, 2])]:
    case(f'expand {src} {dst}', {'op': 'expand', 'shape': dst}, {'x': rn(src)},
         lambda x, dst=dst: x.expand(*dst) * 1.0)

# ---- losses ----
logits = randn(6, 4, generator=g, scale=2.0)
target = torch.tensor([0, 3, 1, 1, 2, 3], dtype=torch.int32)
case('crossEntropy', {'op': 'crossEntropy'}, {'logits': logits, 'target': target},
     lambda logits, target: F.cross_entropy(logits, target.long()))
case('bceWithLogits', {'op': 'bceWithLogits'},
     {'logits': randn(2, 3, 4, generator=g, scale=4.0), 'target': torch.rand(2, 3, 4, generator=g)},
     lambda logits, target: F.binary_cross_entropy_with_logits(logits, target))
case('mse', {'op': 'mse'}, {'a': randn(3, 4, generator=g), 'b': randn(3, 4, generator=g)}, lambda a, b: F.mse_loss(a, b))

# ---- batch norm, double backward (the composed backward) ----
for shape, training in [([4, 3], True), ([3, 2, 4, 5], True), ([3, 2, 4, 5], False)]:
    c = shape[1]
    rm, rv = randn(c, generator=g), positive(c)
    case(f'batchNorm {shape} training={training}', {'op': 'batchNorm', 'training': training},
         {'x': randn(*shape, generator=g, scale=2.0) + 0.5, 'weight': randn(c, generator=g) * 0.5 + 1,
          'bias': randn(c, generator=g), 'running_mean': rm, 'running_var': rv},
         lambda x, weight, bias, running_mean, running_var, training=training: F.batch_norm(
             x, running_mean.detach().clone(), running_var.detach().clone(), weight, bias, training=training))

# ---- WGAN-GP: d/dθ of the gradient penalty (‖∂D/∂x‖₂ − 1)² through a small critic ----
x = randn(5, 3, generator=g)
params = {'w1': randn(6, 3, generator=g) * 0.7, 'b1': randn(6, generator=g) * 0.1,
          'w2': randn(4, 6, generator=g) * 0.5, 'b2': randn(4, generator=g) * 0.1,
          'w3': randn(1, 4, generator=g) * 0.5, 'b3': randn(1, generator=g) * 0.1}
leaves = {k: v.clone().requires_grad_() for k, v in params.items()}
xr = x.clone().requires_grad_()


def critic(x, p):
    h = torch.tanh(x @ p['w1'].t() + p['b1'])
    h = F.leaky_relu(h @ p['w2'].t() + p['b2'], 0.2)
    h = F.softplus(h) * torch.sigmoid(h)
    return h @ p['w3'].t() + p['b3']


d = critic(xr, leaves)
gx, = torch.autograd.grad(d.sum(), xr, create_graph=True)
gp = ((gx.pow(2).sum(1).sqrt() - 1) ** 2).mean()
grads = torch.autograd.grad(gp, list(leaves.values()), allow_unused=True)
grads = [gk if gk is not None else torch.zeros_like(v) for gk, v in zip(grads, leaves.values())]  # b3: no effect on ∂D/∂x
cases.append({'name': 'gradient penalty', 'params': {'op': 'gp'},
              'tensors': {'x': x, **params, 'd': d, 'gx': gx, 'gp': gp,
                          **{'g' + k: v for k, v in zip(leaves, grads)}}})

save('ops', cases)
