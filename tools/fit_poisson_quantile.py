#!/usr/bin/env python3
"""How the Poisson quantile fits in native/noise/poisson_quantile.h were made, and the scipy
fixture test/noise.test.ts checks the inverse CDF against.

    python3 tools/fit_poisson_quantile.py fits               # prints the coefficient tables
    python3 tools/fit_poisson_quantile.py fixture OUT.json   # writes the scipy fixture

Needs numpy, scipy and mpmath (not used by the build or the tests). The method is Giles's
("Algorithm 955", ACM TOMS 42(1), 2016): K = floor(x) with Q(x, lam) = u, Q the regularised upper
incomplete gamma function, and for lam >= 10
    x = lam*r + delta0(r) + (e0(eta) + e1(eta)/lam)/lam,   s = Phi^-1(u), eta = s/sqrt(lam),
    sign(r - 1)*sqrt(2(1 - r + r ln r)) = eta,   delta0 = ln(sqrt(r)*eta/(r - 1))/ln r.
(r - 1)/eta and delta0 are fitted on eta in [-0.7, 1.6] (Chebyshev fits in mpmath precision);
e0, e1 by least squares to exact quantiles (scipy) for lam in [10, 2e5]; Phi^-1 as
(1 - 2t)*p(w), w = -ln(4t(1 - t)) <= 5, and sqrt(w)*p~(sqrt(w)) beyond, t = min(u, 1 - u).
"""
import json
import sys

import mpmath as mp
import numpy as np
from numpy.polynomial import chebyshev as C
from numpy.polynomial import polynomial as P
from scipy.optimize import brentq
from scipy.special import gammainc, gammaincc, ndtr, ndtri
from scipy.stats import poisson

mp.mp.dps = 30
ETA_LO, ETA_HI = -0.7, 1.6
ETA_MID, ETA_HALF = 0.45, 1.15


def r_of_eta(eta):
    eta = mp.mpf(eta)
    r = max(1 + eta + eta**2 / 6 - eta**3 / 72, mp.mpf('0.05'))
    for _ in range(100):
        g = mp.sign(r - 1) * mp.sqrt(2 * (1 - r + r * mp.log(r))) if r != 1 else mp.mpf(0)
        dg = mp.log(r) / g if g != 0 else mp.mpf(1)
        rn = r - (g - eta) / dg
        if rn <= 0:
            rn = r / 2
        if abs(rn - r) < mp.mpf(10) ** -28:
            return rn
        r = rn
    return r


def p_of_eta(eta):
    return (r_of_eta(eta) - 1) / eta if abs(eta) > 1e-15 else mp.mpf(1)


def delta0(eta):
    if abs(eta) < 1e-12:
        return mp.mpf(1) / 3
    r = r_of_eta(eta)
    return mp.log(mp.sqrt(r) * mp.mpf(eta) / (r - 1)) / mp.log(r)


def cheb_monomials(fn, deg, a, b, n=300):
    """Monomial coefficients in z = (x - (a+b)/2)/((b-a)/2) of a Chebyshev fit of fn on [a, b]."""
    xs = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    ys = np.array([float(fn(x * (b - a) / 2 + (a + b) / 2)) for x in xs])
    return C.cheb2poly(C.chebfit(xs, ys, deg))


def recenter(c, a, b):
    """A polynomial in z = (x - a)*b as a polynomial in x."""
    out = np.zeros(1)
    for ci in c[::-1]:
        out = P.polyadd(P.polymul(out, [-a * b, b]), [ci])
    return out


def exact_x(lam, s):
    """The continuous quantile: Q(x, lam) = Phi(s), from the side where Phi(s) keeps its digits."""
    if s <= 0:
        u = ndtr(s)
        f = lambda a: gammaincc(a, lam) - u
    else:
        v = ndtr(-s)
        f = lambda a: v - gammainc(a, lam)
    return brentq(f, max(1e-6, lam - 14 * np.sqrt(lam) - 5), lam + 14 * np.sqrt(lam) + 10, xtol=1e-14, rtol=1e-15)


def correction_rows():
    rows = []
    for lam in np.exp(np.linspace(np.log(10), np.log(2e5), 50)):
        for s in np.linspace(-6.4, 6.4, 65):
            eta = s / np.sqrt(lam)
            if ETA_LO <= eta <= ETA_HI:
                base = float(mp.mpf(lam) * (r_of_eta(eta) - 1) + delta0(eta))
                rows.append((lam, eta, (exact_x(lam, s) - lam - base) * lam))
    return np.array(rows)


def fit_correction(rows, degree, powers):
    lam, eta, e = rows.T
    z = (eta - ETA_MID) / ETA_HALF
    a = np.stack([z**i / lam**j for j in range(powers) for i in range(degree)], 1)
    coef, *_ = np.linalg.lstsq(a, e, rcond=None)
    print('  largest error in x: %.2e' % np.max(np.abs((a @ coef - e) / lam)))
    return coef


def quantile_pieces(central_deg, tail_deg):
    tmin = 0.5 * 2.0**-32
    grid = [np.exp(np.linspace(np.log(tmin), np.log(0.5), 400000)), np.linspace(1e-4, 0.5, 200000)]
    t = np.unique(np.concatenate(grid))
    w = -np.log(4 * t * (1 - t))
    n = -ndtri(t)
    ratio = np.where(1 - 2 * t > 0, n / np.maximum(1 - 2 * t, 1e-300), np.sqrt(np.pi / 2))
    m = w <= 5
    central = C.cheb2poly(C.chebfit((w[m] - 2.5) / 2.5, ratio[m], central_deg))
    qa, qb = np.sqrt(5.0), np.sqrt(-np.log(4 * tmin * (1 - tmin)))
    m = w >= 5
    zt = (np.sqrt(w[m]) - (qa + qb) / 2) / ((qb - qa) / 2)
    tail = C.cheb2poly(C.chebfit(zt, n[m] / np.sqrt(w[m]), tail_deg)) if tail_deg else None
    return central, tail


def show(name, c):
    print('%s = {%s}' % (name, ', '.join('%.9ef' % v for v in c)))


def fits():
    rows = correction_rows()
    print('full estimate (z = (eta - 0.45)/1.15; Phi^-1 pieces in (w - 2.5)/2.5 and (sqrt(w) - mid)/half):')
    central, tail = quantile_pieces(9, 9)
    show('quantile_central', central)
    show('quantile_tail', tail)
    show('shape_p', cheb_monomials(p_of_eta, 10, ETA_LO, ETA_HI))
    show('shape_d0', cheb_monomials(delta0, 8, ETA_LO, ETA_HI))
    e = fit_correction(rows, 6, 2)
    show('shape_e0', e[:6])
    show('shape_e1', e[6:])
    print('coarse estimate (in w and eta directly):')
    central, _ = quantile_pieces(4, 0)
    show('q', recenter(central, 2.5, 0.4))
    show('p', recenter(cheb_monomials(p_of_eta, 6, ETA_LO, ETA_HI), ETA_MID, 1 / ETA_HALF))
    show('d0', recenter(cheb_monomials(delta0, 4, ETA_LO, ETA_HI), ETA_MID, 1 / ETA_HALF))
    show('e0', recenter(fit_correction(rows, 3, 1), ETA_MID, 1 / ETA_HALF))


def fixture(path):
    """Inverse-CDF cases (lam, word, K) from scipy: K = the least k with F(k) > u, u = (w + 1/2)/2^32."""
    rng = np.random.default_rng(2026)
    lams = np.concatenate([np.exp(rng.uniform(np.log(10), np.log(1e6), 300)), rng.uniform(10, 30, 100)])
    words = rng.integers(0, 2**32, lams.size)
    words[:8] = [0, 1, 2**31 - 1, 2**31, 2**32 - 2, 2**32 - 1, 12345, 2**32 - 12346]
    cases = []
    for lam, w in zip(lams, words):
        u = (float(w) + 0.5) * 2.0**-32
        k = poisson.ppf(u, lam) if u < 0.5 else poisson.isf((float(2**32 - 1 - w) + 0.5) * 2.0**-32, lam)
        cases.append([float(lam), int(w), int(k)])
    with open(path, 'w') as f:
        json.dump({'source': 'scipy.stats.poisson ppf/isf (tools/fit_poisson_quantile.py)', 'cases': cases}, f)


if __name__ == '__main__':
    if sys.argv[1:2] == ['fits']:
        fits()
    elif sys.argv[1:2] == ['fixture'] and len(sys.argv) == 3:
        fixture(sys.argv[2])
    else:
        sys.exit(__doc__)
