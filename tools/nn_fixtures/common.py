"""Shared by the engine's fixture scripts: PyTorch 1.13 (Debian's python3-torch) computes each
op's forward and gradients on small random inputs, and we commit them as JSON under
test/fixtures/nn/. Run with /usr/bin/python3 from the repository root, e.g.
    /usr/bin/python3 tools/nn_fixtures/conv.py
Tensors are stored as {"shape": [...], "data": [...]} with float32 values in C order."""
import json
import os
import sys

import torch

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'nn')


def tensor_json(t):
    t = t.detach().to(torch.float32).contiguous()
    return {'shape': list(t.shape), 'data': [float('%.9g' % v) for v in t.reshape(-1).tolist()]}


def randn(*shape, generator, scale=1.0):
    return (torch.randn(*shape, generator=generator, dtype=torch.float64) * scale).to(torch.float32)


def save(name, cases):
    """Writes test/fixtures/nn/<name>.json: {"torch": version, "cases": [{name, params, tensors}]}."""
    os.makedirs(OUT_DIR, exist_ok=True)
    out = {'torch': torch.__version__, 'generator': os.path.relpath(sys.argv[0], ROOT), 'cases': []}
    for case in cases:
        out['cases'].append({
            'name': case['name'],
            'params': case.get('params', {}),
            'tensors': {k: tensor_json(v) for k, v in case['tensors'].items()},
        })
    path = os.path.join(OUT_DIR, name + '.json')
    with open(path + '.tmp', 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    os.replace(path + '.tmp', path)
    print('wrote', os.path.relpath(path, ROOT), os.path.getsize(path), 'bytes')
