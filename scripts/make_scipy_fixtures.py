#!/usr/bin/env python3
"""Writes test/fixtures/scipy_gaussian.json: seeded random float32 volumes and what
scipy.ndimage.gaussian_filter (mode 'reflect') makes of them, the oracle for gaussianBlur.

Run with a Python that has numpy and scipy (on Debian: apt-get install python3-scipy, then
/usr/bin/python3 scripts/make_scipy_fixtures.py). Values are written as the shortest decimal
that reads back as the same float32.
"""
import json
import pathlib

import numpy as np
import scipy
from scipy import ndimage

OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "scipy_gaussian.json"

# name, shape, seed, value range
INPUTS = [
    ("image_17x23", (17, 23), 1, (0.25, 1.25)),
    ("volume_9x14x20", (9, 14, 20), 2, (0.25, 1.25)),
    ("tiny_3x2x4", (3, 2, 4), 3, (0.25, 1.25)),
    ("batch_4x10x12", (4, 10, 12), 4, (0.25, 1.25)),
    ("row_1x40", (1, 40), 5, (0.25, 1.25)),
    ("signed_6x11x13", (6, 11, 13), 6, (-100.0, 100.0)),
]

# input name, sigma (voxels, per axis or one number), truncate
CASES = [
    ("image_17x23", 1.5, 4.0),
    ("image_17x23", [0.7, 3.0], 4.0),
    ("image_17x23", 2.0, 2.5),
    ("volume_9x14x20", 1.0, 4.0),
    ("volume_9x14x20", [2.0, 0.0, 1.3], 4.0),  # an axis with sigma 0 is left alone
    ("volume_9x14x20", [0.5, 4.5, 2.2], 4.0),  # y radius 18 > 14 rows: reflects more than once
    ("tiny_3x2x4", 3.0, 4.0),  # radius 12 on axes of 3, 2 and 4 samples
    ("batch_4x10x12", [0.0, 2.0, 2.0], 4.0),  # a batch of 2D images
    ("row_1x40", 2.5, 4.0),
    ("signed_6x11x13", [1.2, 0.8, 3.1], 3.0),
]


def shortest(values):
    return [float(np.format_float_positional(v, unique=True, trim="-")) for v in values]


def main():
    inputs = {}
    arrays = {}
    for name, shape, seed, (lo, hi) in INPUTS:
        rng = np.random.default_rng(seed)
        a = rng.uniform(lo, hi, size=shape).astype(np.float32)
        arrays[name] = a
        inputs[name] = {"dims": list(shape), "data": shortest(a.ravel())}
    cases = []
    for name, sigma, truncate in CASES:
        out = ndimage.gaussian_filter(arrays[name], sigma=sigma, mode="reflect", truncate=truncate)
        assert out.dtype == np.float32
        cases.append({"input": name, "sigma": sigma, "truncate": truncate, "output": shortest(out.ravel())})
    doc = {
        "generator": "scripts/make_scipy_fixtures.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "function": "scipy.ndimage.gaussian_filter(input_float32, sigma, mode='reflect', truncate=truncate)",
        "inputs": inputs,
        "cases": cases,
    }
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
