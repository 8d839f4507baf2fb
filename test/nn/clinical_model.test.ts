import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { setThreads } from '../../lib/core/threads.js';
import { ClinicalClassifier } from '../../lib/models/clinical_classifier.js';
import { arenaPooledBytes } from '../../lib/nn/arena.js';
import { backward } from '../../lib/nn/autograd.js';
import { initialize } from '../../lib/nn/init.js';
import { BatchNorm2d, Conv2d, ConvTranspose2d, Dropout2d, ReLU, Sequential, Sigmoid } from '../../lib/nn/layers/index.js';
import { loadCheckpoint, loadOptimizerState, readCheckpoint, saveCheckpoint } from '../../lib/nn/checkpoint.js';
import { crossEntropy } from '../../lib/nn/ops/loss.js';
import { Adam } from '../../lib/nn/optim/index.js';
import type { StoredTensor } from '../../lib/nn/safetensors.js';
import { Trainer } from '../../lib/nn/trainer.js';
import { ROOT } from '../helpers/cli.js';
import { runPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';
import { expectClose, expectTensorClose, fixtureTensor, loadFixture, randomTensor } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && (() => {
  try {
    runPython('import torch');
    return true;
  } catch {
    return false;
  }
})();

const fixture = loadFixture('clinical_step')[0];
const T = fixture.tensors;

function stateFrom(prefix: string): Map<string, StoredTensor> {
  const out = new Map<string, StoredTensor>();
  for (const [k, t] of Object.entries(T)) {
    if (!k.startsWith(prefix)) continue;
    const name = k.slice(prefix.length);
    out.set(name, name.endsWith('num_batches_tracked') ? { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(t.data[0])) } : { dtype: 'F32', shape: t.shape, data: Float32Array.from(t.data) });
  }
  return out;
}

const labels = (t: { data: number[] }) => Int32Array.from(t.data);

describe('SimpleModel vs PyTorch (tools/nn_fixtures/clinical_step.py)', () => {
  it('forward, loss and every parameter gradient match; two Adam steps match within 1e-5', () => {
    const model = new ClinicalClassifier(5);
    model.loadStateDict(stateFrom('init.'));
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    for (const step of [1, 2]) {
      const logits = model.forward(fixtureTensor(T[`img${step}`]), fixtureTensor(T[`tab${step}`]));
      expectTensorClose(logits, T[`logits${step}`], `logits ${step}`);
      const loss = crossEntropy(logits, labels(T[`y${step}`]));
      expectClose(loss.data, T[`loss${step}`].data, `loss ${step}`);
      opt.zeroGrad();
      backward(loss);
      if (step === 1) {
        for (const [name, p] of model.namedParameters()) expectTensorClose(p.grad!, T[`grad1.${name}`], `grad ${name}`);
      }
      opt.step();
    }
    for (const [name, t] of model.stateDict()) expectClose(t.data as Float32Array, T[`after2.${name}`].data, `weights ${name}`, { rtol: 0, atol: 1e-5 });
  });
});

describe('SimpleModel checkpoints', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it.skipIf(!hasTorch)('loads into the torch SimpleModel with load_state_dict(strict=True) and gives the same logits', () => {
    const model = new ClinicalClassifier(5, { seed: 9 });
    model.eval();
    const file = path.join(tmp.dir, 'model.safetensors');
    saveCheckpoint(file, model, { architecture: model.architecture() });
    const img = randomTensor([3, 1, 20, 16], 1);
    const tab = randomTensor([3, 5], 2);
    const logits = model.forward(img, tab);
    const inputs = path.join(tmp.dir, 'inputs.json');
    writeFileSync(inputs, JSON.stringify({ img: Array.from(img.data), tab: Array.from(tab.data) }));
    // The notebook's class, verbatim (tools/nn_fixtures/clinical_model.py).
    const script = `${readFileSync(path.join(ROOT, 'tools', 'nn_fixtures', 'clinical_model.py'), 'utf8')}
${readFileSync(path.join(ROOT, 'tools', 'nn_fixtures', 'load_safetensors.py'), 'utf8')}
import sys
torch.set_num_threads(1)
sd, meta = load_safetensors(sys.argv[1])
m = SimpleModel(n_tab=meta['architecture']['n_tab'])
print(m.load_state_dict(sd, strict=True))
m.eval()
x = json.load(open(sys.argv[2]))
with torch.no_grad():
    out = m(torch.tensor(x['img']).reshape(3, 1, 20, 16), torch.tensor(x['tab']).reshape(3, 5))
print(json.dumps(out.reshape(-1).tolist()))
`;
    const lines = runPython(script, [file, inputs]).trim().split('\n');
    expect(lines[0]).toBe('<All keys matched successfully>');
    expectClose(logits.data, JSON.parse(lines[1]), 'torch logits');
  });

  it('save → load restores the weights; a corrupt or mismatched checkpoint is refused with what differs', () => {
    const model = new ClinicalClassifier(5, { seed: 2 });
    const opt = new Adam(model.parameters());
    const file = path.join(tmp.dir, 'ck.safetensors');
    saveCheckpoint(file, model, { architecture: model.architecture(), config: { lr: 1e-3 }, optimizer: opt, training: { epoch: 1 } });
    expect(readCheckpoint(file).header).toMatchObject({ architecture: { name: 'SimpleModel', n_tab: 5 }, optimizer: { file: 'ck.optim.safetensors', type: 'Adam' }, training: { epoch: 1 } });
    const other = new ClinicalClassifier(5, { seed: 3 });
    const header = loadCheckpoint(file, other, { architecture: other.architecture() });
    loadOptimizerState(file, header, new Adam(other.parameters()));
    for (const [k, t] of model.stateDict()) expect(other.stateDict().get(k)!.data).toEqual(t.data);

    expect(() => loadCheckpoint(file, new ClinicalClassifier(7), { architecture: { name: 'SimpleModel', n_tab: 7 } })).toThrow(/another architecture:\s+n_tab: checkpoint 5, expected 7/);
    expect(() => loadCheckpoint(file, new ClinicalClassifier(7))).toThrow(/tab\.0\.weight: shape \[32, 5\] in the checkpoint, \[32, 7\] in the model/);
    const bytes = readFileSync(file);
    const cut = path.join(tmp.dir, 'cut.safetensors');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    expect(() => loadCheckpoint(cut, other)).toThrow(/not a valid safetensors file/);
  });
});

describe('SimpleModel bad input', () => {
  it('names the layer and both shapes', () => {
    const model = new ClinicalClassifier(5);
    expect(() => model.forward(randomTensor([2, 3, 8, 8], 1), randomTensor([2, 5], 2))).toThrow(/layer cnn\.0 \(Conv2d\): Conv2d\(1, 8, kernel_size=\(5, 5\), padding=\(2, 2\)\) expects input of shape \[N, 1, \*, \*\] but got \[2, 3, 8, 8\]/);
    expect(() => model.forward(randomTensor([2, 1, 8, 8], 1), randomTensor([2, 4], 2))).toThrow(/layer tab\.0 \(Linear\): Linear\(in_features=5.*\[N, 5\] but got \[2, 4\]/);
    expect(() => model.forward(randomTensor([2, 1, 8, 8], 1), randomTensor([3, 5], 2))).toThrow(/\[2, 1, 8, 8\] and \[3, 5\]/);
  });
});

describe('training determinism', () => {
  it('identical weights after N steps on 1 and 2 threads', () => {
    const run = (threads: number) => {
      setThreads(threads);
      const model = new ClinicalClassifier(5, { seed: 5 });
      const trainer = new Trainer(model, new Adam(model.parameters(), { lr: 1e-2 }), { seed: 1 });
      for (let s = 0; s < 4; s++) {
        const img = randomTensor([6, 1, 24, 20], 100 + s);
        const tab = randomTensor([6, 5], 200 + s);
        const y = Int32Array.from([0, 1, 0, 1, 1, 0]);
        trainer.trainStep(() => ({ loss: crossEntropy(model.forward(img, tab), y), count: 6 }));
      }
      return model.stateDict();
    };
    try {
      const a = run(1);
      const b = run(2);
      for (const [k, t] of a) expect(Buffer.from((b.get(k)!.data as Float32Array).buffer).equals(Buffer.from((t.data as Float32Array).buffer)), k).toBe(true);
    } finally {
      setThreads();
    }
  });

  it('reaches a steady state in the arena (no growth after the first step) and leaves no gradient behind', () => {
    const model = new ClinicalClassifier(5);
    const trainer = new Trainer(model, new Adam(model.parameters()), { seed: 0 });
    const img = randomTensor([2, 1, 16, 16], 1);
    const tab = randomTensor([2, 5], 2);
    const step = () => trainer.trainStep(() => ({ loss: crossEntropy(model.forward(img, tab), Int32Array.of(0, 1)), count: 2 }));
    step();
    const pooled = arenaPooledBytes();
    expect(pooled).toBeGreaterThan(2 * 8 * 16 * 16 * 4);
    step();
    step();
    expect(arenaPooledBytes()).toBe(pooled);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });

});

describe('checkpoint interop beyond SimpleModel', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it.skipIf(!hasTorch)('batch norm buffers (int64 num_batches_tracked) and ConvTranspose2d weights load into torch with strict=True', () => {
    const model = new Sequential(new Conv2d(2, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new Dropout2d(0.1), new ConvTranspose2d(4, 3, 2, { stride: 2 }), new Sigmoid());
    initialize(model, 4);
    // Two training passes give non-trivial running statistics and num_batches_tracked = 2.
    model.train();
    model.forward(randomTensor([3, 2, 6, 6], 1));
    model.forward(randomTensor([3, 2, 6, 6], 2));
    model.eval();
    const x = randomTensor([2, 2, 6, 6], 3);
    const y = model.forward(x);
    const file = path.join(tmp.dir, 'seq.safetensors');
    saveCheckpoint(file, model, { architecture: { name: 'test-seq' } });
    const inputs = path.join(tmp.dir, 'x.json');
    writeFileSync(inputs, JSON.stringify(Array.from(x.data)));
    const script = `
import json, struct, sys
import numpy as np
import torch
import torch.nn as nn
torch.set_num_threads(1)
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
dt = {'F32': np.float32, 'I64': np.int64}
sd = {k: torch.from_numpy(np.frombuffer(b[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]], dtype=dt[v['dtype']]).reshape(v['shape']).copy()) for k, v in h.items() if k != '__metadata__'}
m = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout2d(0.1), nn.ConvTranspose2d(4, 3, 2, stride=2), nn.Sigmoid())
print(m.load_state_dict(sd, strict=True))
print(int(m[1].num_batches_tracked), m[1].num_batches_tracked.dtype)
m.eval()
with torch.no_grad():
    out = m(torch.tensor(json.load(open(sys.argv[2]))).reshape(2, 2, 6, 6))
print(json.dumps(out.reshape(-1).tolist()))
`;
    const lines = runPython(script, [file, inputs]).trim().split('\n');
    expect(lines[0]).toBe('<All keys matched successfully>');
    expect(lines[1]).toBe('2 torch.int64');
    expect(y.shape).toEqual([2, 3, 12, 12]);
    expectClose(y.data, JSON.parse(lines[2]), 'torch output');
  });
});
