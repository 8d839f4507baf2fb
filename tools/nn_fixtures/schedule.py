"""Learning-rate schedule fixtures: the lr after each scheduler.step() for a metric sequence.
Run: /usr/bin/python3 tools/nn_fixtures/schedule.py"""
import torch

from common import save

metrics = torch.tensor([1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.89999, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.7, 0.71, 0.72, 0.73])


def plateau(name, **kw):
    p = torch.nn.Parameter(torch.zeros(3))
    opt = torch.optim.SGD([p], lr=0.1)
    s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    lrs = []
    for m in metrics.tolist():
        s.step(m)
        lrs.append(opt.param_groups[0]['lr'])
    opts = {'mode': kw.get('mode', 'min'), 'factor': kw.get('factor', 0.1), 'patience': kw.get('patience', 10),
            'threshold': kw.get('threshold', 1e-4), 'thresholdMode': kw.get('threshold_mode', 'rel'),
            'cooldown': kw.get('cooldown', 0), 'minLr': kw.get('min_lr', 0)}
    return {'name': name, 'params': {'kind': 'plateau', 'options': opts},
            'tensors': {'metrics': metrics, 'lrs': torch.tensor(lrs, dtype=torch.float64)}}


def cosine(name, t_max, eta_min):
    p = torch.nn.Parameter(torch.zeros(3))
    opt = torch.optim.SGD([p], lr=0.1)
    s = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min)
    lrs = []
    for _ in range(len(metrics)):
        opt.step()
        s.step()
        lrs.append(opt.param_groups[0]['lr'])
    return {'name': name, 'params': {'kind': 'cosine', 't_max': t_max, 'eta_min': eta_min},
            'tensors': {'metrics': metrics, 'lrs': torch.tensor(lrs, dtype=torch.float64)}}


save('schedule', [
    plateau('plateau_defaults'),
    plateau('plateau_patience2', patience=2, factor=0.5),
    plateau('plateau_cooldown_minlr', patience=1, cooldown=2, factor=0.3, min_lr=0.005),
    plateau('plateau_max_abs', mode='max', patience=1, threshold=0.01, threshold_mode='abs'),
    cosine('cosine_tmax10', 10, 0.0),
    cosine('cosine_tmax5_etamin', 5, 0.01),
])
