"""PyTorch's side of the nn-train bench suite (lib/bench/suites/nn_train.ts): one training step of
seed 000's SimpleModel (forward, cross-entropy, backward, Adam) per image size, on this machine.
Prints {"torch": version, "threads": n, "ms": {case name: mean ms}}.
    /usr/bin/python3 bench/nn_train_torch.py '{"threads": 2, "steps": [["name", N, H, W, n_tab], ...]}'"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'tools', 'nn_fixtures'))
from clinical_model import SimpleModel  # noqa: E402

from nn_torch import mean_ms  # noqa: E402


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec['threads'])
    g = torch.Generator().manual_seed(1)
    out = {}
    for name, n, h, w, n_tab in spec['steps']:
        model = SimpleModel(n_tab)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        img = torch.randn(n, 1, h, w, generator=g)
        tab = torch.randn(n, n_tab, generator=g)
        y = torch.randint(0, 2, (n,), generator=g)
        criterion = torch.nn.CrossEntropyLoss()

        def step():
            loss = criterion(model(img, tab), y)
            opt.zero_grad()
            loss.backward()
            opt.step()

        out[name] = mean_ms(step)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'ms': out}))


main()
