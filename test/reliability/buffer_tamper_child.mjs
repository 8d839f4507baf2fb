// Run by buffer_lifetime.test.ts as `node --expose-gc --harmony-rab-gsab-transfer this.mjs`:
// starts each kernel, then takes its input or output away from under it (transfer + gc, or
// shrink a resizable buffer) and prints one JSON line per case. A native crash ends the process
// with a signal, which the test reports with the last case printed.
import { addNoise, castToUint8, coxLoss, gaussianBlur, MedsynthError, rasterize } from '../../dist/lib/index.js';

const N = Number(process.env.TAMPER_EDGE ?? 160);
const dims = [N, N, N];
const count = N * N * N;

function wave(n) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 0.37) * 100;
  return a;
}

const tampers = {
  // structuredClone moves the memory to a clone that GC then frees.
  'clone-transfer+gc': (a) => { structuredClone(a, { transfer: [a.buffer] }); globalThis.gc(); },
  // ArrayBuffer.prototype.transfer to a smaller length frees (or reallocates) the old memory.
  'transfer+gc': (a) => { a.buffer.transfer?.(8); globalThis.gc(); },
};

function resizable(ctor, n) {
  const buffer = new ArrayBuffer(n * ctor.BYTES_PER_ELEMENT, { maxByteLength: n * ctor.BYTES_PER_ELEMENT });
  return new ctor(buffer, 0, n);
}

const sphere = (label) => [{ type: 'ellipsoid', center: [N / 2, N / 2, N / 2], radii: [N / 3, N / 4, N / 5], label, intensity: 1 }];

// Each op: fresh(): its arrays; run(arrays): the call; check(arrays, result): is the result right?
const ops = {
  gaussianBlur: {
    fresh: () => ({ input: wave(count), out: new Float32Array(count) }),
    run: (a) => gaussianBlur(a.input, dims, { sigma: 1.5 }, a.out),
  },
  addNoise: {
    fresh: () => ({ input: wave(count), out: new Float32Array(count) }),
    run: (a) => addNoise(a.input, { kind: 'gaussian', sigma: 2, seed: 7 }, a.out),
  },
  rasterizeLabels: {
    // both targets are read and written: "input" is the intensity target, "out" the labels
    fresh: () => ({ input: wave(count), out: new Uint8Array(count) }),
    run: (a) => rasterize(sphere(3), { dims, intensity: a.input, labels: a.out }),
  },
  castToUint8: {
    fresh: () => ({ input: wave(count), out: new Uint8Array(count) }),
    run: (a) => castToUint8(a.input, { scale: 1, offset: 100 }, a.out),
  },
  coxLoss: {
    fresh: () => {
      const n = 1 << 20;
      const risk = new Float64Array(n), time = new Float64Array(n), event = new Uint8Array(n);
      for (let i = 0; i < n; i++) { risk[i] = Math.sin(i); time[i] = (i * 7919) % 1000; event[i] = i % 3 === 0 ? 1 : 0; }
      return { input: risk, out: new Float64Array(n), time, event };
    },
    run: (a) => coxLoss(a.input, a.time, a.event, { ties: 'efron' }, a.out),
  },
};

function same(x, y) {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

for (const [name, op] of Object.entries(ops)) {
  const ref = op.fresh();
  const refResult = await op.run(ref);
  for (const target of ['input', 'out']) {
    for (const [tname, tamper] of Object.entries(tampers)) {
      const a = op.fresh();
      let outcome;
      try {
        const p = op.run(a);
        const victim = a[target];
        const keep = target === 'input' ? null : victim; // nothing else refers to it
        tamper(victim);
        const r = await p;
        // The call finished: what it returned must be right. A detached output reads as empty.
        const correct = target === 'input' ? same(a.out, ref.out) && (r?.loss === undefined || r.loss === refResult.loss) : keep.length === 0 || same(a.out, ref.out);
        outcome = { result: correct ? 'correct' : 'WRONG' };
      } catch (e) {
        outcome = e instanceof MedsynthError ? { code: e.code } : { uncoded: String(e) };
      }
      console.log(JSON.stringify({ op: name, target, tamper: tname, ...outcome }));
    }
    // Resizable buffers are refused before any work.
    const a = op.fresh();
    const ctor = a[target].constructor;
    const r = resizable(ctor, a[target].length);
    r.set(a[target]);
    a[target] = r;
    let outcome;
    try {
      const p = op.run(a);
      r.buffer.resize(0);
      globalThis.gc();
      await p;
      outcome = { result: 'accepted' };
    } catch (e) {
      outcome = e instanceof MedsynthError ? { code: e.code } : { uncoded: String(e) };
    }
    console.log(JSON.stringify({ op: name, target, tamper: 'resize', ...outcome }));
  }
}
console.log(JSON.stringify({ done: true }));
