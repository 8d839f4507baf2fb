"""Seed 000's SimpleModel, verbatim from the notebook (shared by the fixture and bench scripts)."""
import torch
import torch.nn as nn


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
