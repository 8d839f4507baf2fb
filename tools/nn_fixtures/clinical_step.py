"""Seed 000's SimpleModel: forward, cross-entropy, gradients and two Adam(lr=1e-3) steps on small
batches, from torch's own initial weights. Run: /usr/bin/python3 tools/nn_fixtures/clinical_step.py"""
import torch
import torch.nn as nn

from common import randn, save


class SimpleModel(nn.Module):
    def __init__(self, n_tab: int):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
        )
        self.tab = nn.Sequential(
            nn.Linear(n_tab, 32), nn.ReLU(),
            nn.Linear(32, 32), nn.ReLU()
        )
        self.fc = nn.Sequential(
            nn.Linear(16 + 32, 32), nn.ReLU(),
            nn.Linear(32, 2)
        )

    def forward(self, x_img, x_tab):
        vi = self.cnn(x_img).flatten(1)
        vt = self.tab(x_tab)
        v = torch.cat([vi, vt], dim=1)
        return self.fc(v)


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
