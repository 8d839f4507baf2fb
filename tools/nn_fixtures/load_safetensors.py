# Reads a medsynth safetensors checkpoint into a torch state dict (F32 and I64 entries) and its
# medsynth metadata, for tests that load our checkpoints into torch modules with strict=True.
import json
import struct

import numpy as np
import torch


def load_safetensors(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n])
    dt = {'F32': np.float32, 'I64': np.int64}
    out = {}
    for k, v in h.items():
        if k == '__metadata__':
            continue
        s, e = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + s:8 + n + e], dtype=dt[v['dtype']]).reshape(v['shape']).copy())
    return out, json.loads(h['__metadata__']['medsynth'])
