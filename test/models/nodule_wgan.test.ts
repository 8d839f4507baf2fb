import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { NoduleCritic, NoduleGenerator, resolveWganShape } from '../../lib/models/nodule_wgan.js';
import { gradientPenalty, sampleGenerator, WganTrainer } from '../../lib/models/nodule_wgan_training.js';
import { backward } from '../../lib/nn/autograd.js';
import { saveCheckpoint } from '../../lib/nn/checkpoint.js';
import { ROOT } from '../helpers/cli.js';
import { runPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';
import { expectClose, randomTensor } from '../nn/helpers.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && (() => {
  try {
    runPython('import torch');
    return true;
  } catch {
    return false;
  }
})();

// The torch twin of the models and a reader of our safetensors checkpoints (tools/nn_fixtures/).
const FIXTURES = path.join(ROOT, 'tools', 'nn_fixtures');
const LOADER = `${readFileSync(path.join(FIXTURES, 'load_safetensors.py'), 'utf8')}
import sys
torch.set_num_threads(1)
`;
const TORCH_WGAN = readFileSync(path.join(FIXTURES, 'nodule_wgan.py'), 'utf8');

describe('NoduleGenerator / NoduleCritic', () => {
  it('follow the seed: 4³×512 → … → 64³×1 and 64³ → 4³×512 → 1, 32 drops one level', () => {
    expect(resolveWganShape().channels).toEqual([512, 256, 128, 64]);
    expect(resolveWganShape({ size: 32, width: 0.25 }).channels).toEqual([128, 64, 32]);
    const g = new NoduleGenerator({ size: 16, width: 1 / 32 });
    expect(g.stateDict().has('fc.weight')).toBe(true);
    expect([...g.stateDict().keys()].filter((k) => k.startsWith('net.')).slice(0, 5)).toEqual([
      'net.0.weight', 'net.0.bias', 'net.0.running_mean', 'net.0.running_var', 'net.0.num_batches_tracked',
    ]);
    const x = g.forward(randomTensor([2, 100], 1));
    expect(x.shape).toEqual([2, 1, 16, 16, 16]);
    expect(Math.max(...x.data.map(Math.abs))).toBeLessThanOrEqual(1);
    const d = new NoduleCritic({ size: 16, width: 1 / 32 });
    expect(d.forward(x).shape).toEqual([2, 1]);
    expect([...d.stateDict().keys()]).toEqual(['net.0.weight', 'net.0.bias', 'net.2.weight', 'net.2.bias', 'fc.weight', 'fc.bias']);
    expect(() => new NoduleGenerator({ size: 48 })).toThrow(/8, 16, 32 or 64/);
    expect(() => d.forward(randomTensor([1, 1, 8, 8, 8], 2))).toThrow(/expects x \[N, 1, 16, 16, 16\]/);
  });

  it('a WGAN iteration runs n_critic critic steps and one generator step, changing both', () => {
    const g = new NoduleGenerator({ size: 8, width: 1 / 64 }, { seed: 1 });
    const d = new NoduleCritic({ size: 8, width: 1 / 64 }, { seed: 2 });
    const trainer = new WganTrainer(g, d, { seed: 3, nCritic: 2 });
    const g0 = Float32Array.from(g.fc.weight.data);
    const d0 = Float32Array.from(d.fc.weight.data);
    const real = [randomTensor([4, 1, 8, 8, 8], 4), randomTensor([4, 1, 8, 8, 8], 5)];
    const losses = trainer.iteration(real);
    for (const v of Object.values(losses)) expect(Number.isFinite(v)).toBe(true);
    expect(losses.gp).toBeGreaterThanOrEqual(0);
    expect(trainer.criticSteps).toBe(2);
    expect(g.fc.weight.data).not.toEqual(g0);
    expect(d.fc.weight.data).not.toEqual(d0);
    for (const p of [...g.parameters(), ...d.parameters()]) expect(p.grad).toBeNull();
    const a = trainer.sample(2, 7);
    expect(a).toEqual(trainer.sample(2, 7));
    expect(g.mode).toBe('train');
  });
});

describe('WGAN-GP against PyTorch', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it.skipIf(!hasTorch)('the gradient penalty and its gradient w.r.t. the critic parameters match torch double backward (8³ critic)', () => {
    const critic = new NoduleCritic({ size: 8, width: 1 / 64 }, { seed: 11 });
    const file = path.join(tmp.dir, 'critic.safetensors');
    saveCheckpoint(file, critic, { architecture: critic.architecture() });
    const real = randomTensor([3, 1, 8, 8, 8], 21);
    const fake = randomTensor([3, 1, 8, 8, 8], 22, { scale: 0.5 });
    const alpha = Float32Array.of(0.2, 0.55, 0.9);
    const gp = gradientPenalty(critic, real, fake, alpha);
    backward(gp);
    const inputs = path.join(tmp.dir, 'inputs.json');
    writeFileSync(inputs, JSON.stringify({ real: Array.from(real.data), fake: Array.from(fake.data), alpha: Array.from(alpha) }));
    const script = `${TORCH_WGAN}${LOADER}
sd, meta = load_safetensors(sys.argv[1])
arch = meta['architecture']
m = NoduleCritic(size=arch['size'], width=arch['width'])
print(m.load_state_dict(sd, strict=True))
x = json.load(open(sys.argv[2]))
real = torch.tensor(x['real']).reshape(3, 1, 8, 8, 8)
fake = torch.tensor(x['fake']).reshape(3, 1, 8, 8, 8)
gp = gradient_penalty(m, real, fake, torch.tensor(x['alpha']))
gp.backward()
print(json.dumps({'gp': gp.item(), 'grads': {k: (p.grad.reshape(-1).tolist() if p.grad is not None else None) for k, p in m.named_parameters()}}))
`;
    const lines = runPython(script, [file, inputs]).trim().split('\n');
    expect(lines[0]).toBe('<All keys matched successfully>');
    const torchOut = JSON.parse(lines[1]) as { gp: number; grads: Record<string, number[] | null> };
    expectClose([gp.item()], [torchOut.gp], 'gp');
    expect(gp.item()).toBeGreaterThan(0);
    for (const [name, p] of critic.namedParameters()) {
      // The input gradient does not depend on fc.bias: torch leaves its grad None, we zero or null.
      const expected = torchOut.grads[name] ?? new Array<number>(p.size).fill(0);
      expectClose(p.grad?.data ?? new Float32Array(p.size), expected, `d gp / d ${name}`, { rtol: 1e-3, atol: 1e-5 });
    }
    expect(Math.max(...critic.net.layers[0].parameters()[0].grad!.data.map(Math.abs))).toBeGreaterThan(0);
  });

  it.skipIf(!hasTorch)('the generator loads into torch with strict=True and gives the same eval-mode samples', () => {
    const g = new NoduleGenerator({ size: 16, width: 1 / 32 }, { seed: 5 });
    const file = path.join(tmp.dir, 'gen.safetensors');
    saveCheckpoint(file, g, { architecture: g.architecture() });
    const z = randomTensor([2, 100], 6);
    const ours = sampleGenerator(g, z);
    const inputs = path.join(tmp.dir, 'z.json');
    writeFileSync(inputs, JSON.stringify(Array.from(z.data)));
    const script = `${TORCH_WGAN}${LOADER}
sd, meta = load_safetensors(sys.argv[1])
arch = meta['architecture']
m = NoduleGenerator(size=arch['size'], width=arch['width'])
print(m.load_state_dict(sd, strict=True))
m.eval()
with torch.no_grad():
    out = m(torch.tensor(json.load(open(sys.argv[2]))).reshape(2, 100))
print(json.dumps(out.reshape(-1).tolist()))
`;
    const lines = runPython(script, [file, inputs]).trim().split('\n');
    expect(lines[0]).toBe('<All keys matched successfully>');
    expectClose(ours, JSON.parse(lines[1]), 'generator samples', { rtol: 1e-4, atol: 1e-5 });
  });
});
