"""Compares HDF5 files pairwise with h5py: every dataset (values, dtype, shape) and every
attribute of the files, groups and datasets. Usage: compare_h5.py A.h5 B.h5 [A2.h5 B2.h5 ...].
Prints one JSON object {"compared": [...names], "differences": [...]} and exits 0."""
import json
import sys

import h5py
import numpy as np


def same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind == 'f':
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    return a == b


def compare(pa, pb, out, compared):
    with h5py.File(pa, 'r') as fa, h5py.File(pb, 'r') as fb:
        def attrs(name, oa, ob):
            if set(oa.attrs) != set(ob.attrs):
                out.append(f'{pa}:{name}: attribute names {sorted(oa.attrs)} vs {sorted(ob.attrs)}')
            for k in oa.attrs:
                if k in ob.attrs and not same(oa.attrs[k], ob.attrs[k]):
                    out.append(f'{pa}:{name}: attribute {k} differs')

        attrs('/', fa, fb)
        names_a, names_b = [], []
        fa.visit(names_a.append)
        fb.visit(names_b.append)
        if sorted(names_a) != sorted(names_b):
            out.append(f'{pa}: objects {sorted(names_a)} vs {sorted(names_b)}')
        for name in names_a:
            if name not in fb:
                continue
            oa, ob = fa[name], fb[name]
            attrs(name, oa, ob)
            if isinstance(oa, h5py.Dataset):
                compared.append(f'{pa}:{name}')
                if oa.dtype != ob.dtype or oa.shape != ob.shape:
                    out.append(f'{pa}:{name}: {oa.dtype}{oa.shape} vs {ob.dtype}{ob.shape}')
                elif not same(oa[()], ob[()]):
                    out.append(f'{pa}:{name}: values differ')


def main():
    files = sys.argv[1:]
    out, compared = [], []
    for i in range(0, len(files), 2):
        compare(files[i], files[i + 1], out, compared)
    print(json.dumps({'compared': compared, 'differences': out}))


main()
