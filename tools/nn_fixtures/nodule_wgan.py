# Seed 002's 3D WGAN-GP in PyTorch, with the module names lib/models/nodule_wgan.ts uses, and the
# seed's gradient penalty (torch.autograd.grad with create_graph=True). The tests append a driver.
import torch
import torch.nn as nn


def wgan_channels(size, width):
    levels = {8: 1, 16: 2, 32: 3, 64: 4}[size]
    return [max(1, round(c * width)) for c in [512, 256, 128, 64][:levels]]


class NoduleGenerator(nn.Module):
    def __init__(self, size=64, width=1.0, latent_dim=100):
        super().__init__()
        ch = wgan_channels(size, width)
        self.ch0 = ch[0]
        self.fc = nn.Linear(latent_dim, ch[0] * 4 ** 3)
        layers = []
        for i, c in enumerate(ch):
            nxt = ch[i + 1] if i + 1 < len(ch) else 1
            layers += [nn.BatchNorm3d(c), nn.ReLU(), nn.ConvTranspose3d(c, nxt, 4, 2, 1)]
        layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(self.fc(z).reshape(z.shape[0], self.ch0, 4, 4, 4))


class NoduleCritic(nn.Module):
    def __init__(self, size=64, width=1.0, latent_dim=100):
        super().__init__()
        ch = list(reversed(wgan_channels(size, width)))
        layers = []
        for i, c in enumerate(ch):
            layers += [nn.Conv3d(1 if i == 0 else ch[i - 1], c, 4, 2, 1), nn.LeakyReLU(0.2)]
        self.net = nn.Sequential(*layers)
        self.fc = nn.Linear(ch[-1] * 4 ** 3, 1)

    def forward(self, x):
        return self.fc(self.net(x).flatten(1))


def gradient_penalty(critic, real, fake, alpha):
    interpolates = (alpha.reshape(-1, 1, 1, 1, 1) * real + (1 - alpha.reshape(-1, 1, 1, 1, 1)) * fake).requires_grad_(True)
    pred = critic(interpolates)
    g, = torch.autograd.grad(pred, interpolates, grad_outputs=torch.ones_like(pred), create_graph=True)
    slopes = torch.sqrt(torch.sum(g ** 2, dim=[1, 2, 3, 4]))
    return torch.mean((slopes - 1.0) ** 2)
