"""Seed 000's SimpleModel: forward, cross-entropy, gradients and two Adam(lr=1e-3) steps on small
batches, from torch's own initial weights. Run: /usr/bin/python3 tools/nn_fixtures/clinical_step.py"""
import torch
import torch.nn as nn

from clinical_model import SimpleModel
from common import randn, save


torch.manual_seed(0)
N, H, W, N_TAB = 4, 12, 10, 5
model = SimpleModel(N_TAB)
g = torch.Generator().manual_seed(3)
tensors = {}
for k, v in model.state_dict().items():
    tensors['init.' + k] = v.clone()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
for step in (1, 2):
    img = randn(N, 1, H, W, generator=g)
    tab = randn(N, N_TAB, generator=g, scale=2.0)
    y = torch.tensor([0, 1, 1, 0] if step == 1 else [1, 1, 0, 0])
    out = model(img, tab)
    loss = criterion(out, y)
    opt.zero_grad()
    loss.backward()
    tensors[f'img{step}'] = img
    tensors[f'tab{step}'] = tab
    tensors[f'y{step}'] = y.float()
    tensors[f'logits{step}'] = out
    tensors[f'loss{step}'] = loss.reshape(1)
    if step == 1:  # (fixture size: gradients of the first step, weights after the second)
        for k, p in model.named_parameters():
            tensors[f'grad{step}.{k}'] = p.grad.clone()
    opt.step()
    if step == 2:
        for k, v in model.state_dict().items():
            tensors[f'after{step}.{k}'] = v.clone()
save('clinical_step', [{'name': 'simple_model_two_adam_steps', 'params': {'n_tab': N_TAB, 'lr': 1e-3}, 'tensors': tensors}])
