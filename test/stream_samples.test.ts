// The streaming API: every generator's streamed sample i is byte for byte its one-sample call,
// at any prefetch depth and thread count; memory stays bounded over 10,000 samples; break, abort
// and a failing sample stop the work; the Readable keeps to backpressure in stream.pipeline.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';

import { setThreads } from '../lib/core/threads.js';
import { generateSample } from '../lib/generators/anatomy3d/index.js';
import { ClinicalSynth } from '../lib/generators/clinical2d/synth.js';
import { generatePetCtPatient } from '../lib/generators/petct/patient.js';
import { ParametricOctDecoder } from '../lib/generators/longitudinal/decoder.js';
import { NlmeModel } from '../lib/generators/longitudinal/nlme.js';
import { resolveNoduleOptions } from '../lib/generators/nodules/options.js';
import { ProceduralNoduleSource } from '../lib/generators/nodules/source.js';
import { generatorAdapter, type GeneratorStreamOptions } from '../lib/stream/generator_adapters.js';
import type { SampleAdapter, StreamOptions } from '../lib/stream/pipeline.js';
import { samples, samplesStream } from '../lib/stream/samples.js';

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: ArrayBufferView, b: ArrayBufferView) => a.constructor === b.constructor && bytes(a).equals(bytes(b));

/** What `check` makes of each sample of a stream while that sample is current. */
async function collect<T, R>(stream: AsyncIterable<T>, check: (s: T) => R): Promise<R[]> {
  const out: R[] = [];
  for await (const s of stream) out.push(check(s));
  return out;
}

/** Wraps an adapter to count samples started and in flight (what break/abort must stop). */
function counting<T>(inner: SampleAdapter<T>, delayMs = 0) {
  const c = { started: 0, inFlight: 0, maxInFlight: 0 };
  const adapter: SampleAdapter<T> = {
    name: inner.name,
    end: inner.end,
    async make(index, slot, reuse) {
      c.started++;
      c.inFlight++;
      c.maxInFlight = Math.max(c.maxInFlight, c.inFlight);
      try {
        if (delayMs) await sleep(delayMs);
        return await inner.make(index, slot, reuse);
      } finally {
        c.inFlight--;
      }
    },
  };
  return { adapter, c };
}

const ANATOMY = { imageSize: [8, 16, 16] as [number, number, number], seed: 11 };
const CONFIGS: Array<{ prefetch: number; threads: number; reuse: boolean }> = [
  { prefetch: 0, threads: 1, reuse: false },
  { prefetch: 1, threads: 2, reuse: true },
  { prefetch: 3, threads: 2, reuse: false },
  { prefetch: 4, threads: 1, reuse: true },
];

describe('samples(): byte-identical to each generator one sample at a time', () => {
  afterAll(() => setThreads());

  for (const { prefetch, threads, reuse } of CONFIGS) {
    const tag = `prefetch ${prefetch}, ${threads} thread(s), reuse ${reuse}`;

    it(`anatomy (float32 and int16), ${tag}`, async () => {
      setThreads(threads);
      for (const dtype of ['float32', 'int16'] as const) {
        const got = await collect(samples({ ...ANATOMY, dtype }, { start: 3, count: 6, prefetch, reuse }), (s) => ({
          index: s.index, image: Buffer.from(bytes(s.image)), labels: Buffer.from(bytes(s.labels)), scenario: s.scenario, presence: [...s.presence], params: s.params,
        }));
        expect(got.map((g) => g.index)).toEqual([3, 4, 5, 6, 7, 8]);
        for (const g of got) {
          const want = await generateSample(ANATOMY, g.index, dtype);
          expect(g.image.equals(bytes(want.image)), `image ${g.index}`).toBe(true);
          expect(g.labels.equals(bytes(want.labels))).toBe(true);
          expect([g.scenario, g.presence, g.params]).toEqual([want.scenario, [...want.presence], want.params]);
        }
      }
    });

    it(`clinical, PET/CT, longitudinal and nodules, ${tag}`, async () => {
      setThreads(threads);
      const clinical = { seed: 5, H: 24, W: 32 };
      const synth = new ClinicalSynth(clinical);
      const c = await collect(samples({ generator: 'clinical', ...clinical }, { start: 10, count: 4, prefetch, reuse }), (s) => ({ ...s, images: s.images.slice() }));
      for (const s of c) {
        const want = await synth.sampleRange(s.index, 1);
        expect(same(s.images, want.images) && same(s.tabular, want.tabular) && same(s.y, want.y)).toBe(true);
        expect(s.truth).toEqual(want.truth);
      }

      const petct = { mode: '2d' as const, imageSize: [32, 32] as [number, number], seed: 2 };
      const p = await collect(samples({ generator: 'petct', ...petct }, { count: 3, prefetch, reuse }), (s) => ({ ...s, ct: s.ct.slice(), pet: s.pet.slice(), seg: s.seg.slice() }));
      for (const s of p) {
        const want = await generatePetCtPatient(petct, s.index);
        expect(same(s.ct, want.ct) && same(s.pet, want.pet) && same(s.seg, want.seg)).toBe(true);
        expect([s.params, s.affine]).toEqual([want.params, want.affine]);
      }

      const model = new NlmeModel({ seed: 4 });
      const decoder = new ParametricOctDecoder({ seed: 4, height: 16, width: 24 });
      const l = await collect(samples({ generator: 'longitudinal', model, decoder }, { start: 7, count: 3, prefetch, reuse }), (s) => s);
      for (const s of l) {
        const subject = model.subject(s.index);
        const want = await decoder.decode(Float64Array.from(subject.z), [s.index]);
        expect(same(s.images, want.images) && same(s.factors, want.factors)).toBe(true);
        expect(s.subject).toEqual(subject);
      }

      const nodules = { patchSize: [16, 16, 16] as [number, number, number], seed: 9 };
      const source = new ProceduralNoduleSource(resolveNoduleOptions(nodules));
      const n = await collect(samples({ generator: 'nodules', ...nodules }, { count: 3, prefetch, reuse }), (s) => s);
      for (const s of n) {
        const want = await source.sample(s.index);
        expect(same(s.patch.image, want.patch.image) && same(s.patch.mask, want.patch.mask) && same(s.patch.coverage, want.patch.coverage)).toBe(true);
        expect(s.params).toEqual(want.params);
      }
    });
  }

  it('without reuse a kept sample is never written again; with reuse prefetch + 1 buffers cycle', async () => {
    const kept = [];
    for await (const s of samples(ANATOMY, { count: 8, prefetch: 2 })) kept.push(s);
    for (const s of kept) expect(same(s.image, (await generateSample(ANATOMY, s.index)).image)).toBe(true);
    expect(new Set(kept.map((s) => s.image.buffer)).size).toBe(8);

    const buffers = new Set<ArrayBufferLike>();
    for await (const s of samples(ANATOMY, { count: 12, prefetch: 2, reuse: true })) buffers.add(s.image.buffer);
    expect(buffers.size).toBe(3);
  });
});

describe('samples(): bounded memory', () => {
  it('10,000 small samples: RSS grows by at most (prefetch + 1) samples plus a constant after warm-up', async () => {
    const prefetch = 2;
    const sampleBytes = 8 * 16 * 16 * (4 + 1);
    let n = 0;
    let base = 0;
    let peak = 0;
    for await (const s of samples(ANATOMY, { count: 10_000, prefetch })) {
      expect(s.index).toBe(n);
      if (++n === 500) base = process.memoryUsage().rss;
      if (n > 500 && n % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(n).toBe(10_000);
    // Keeping every sample alive would add ~170 MB here (10,000 × their buffers and parameters).
    expect(peak - base).toBeLessThan((prefetch + 1) * sampleBytes + 64 * 2 ** 20);
  });
});

describe('samples(): stopping', () => {
  const anatomy = () => generatorAdapter(ANATOMY) as SampleAdapter<unknown>;

  it('break stops the work: nothing starts after it, and nothing is in flight once the loop exits', async () => {
    const { adapter, c } = counting(anatomy());
    let consumed = 0;
    for await (const _ of samples(adapter, { count: 100, prefetch: 3 })) {
      if (++consumed === 5) break;
    }
    expect(c.inFlight).toBe(0);
    expect(c.started).toBeLessThanOrEqual(consumed + 3);
    const after = c.started;
    await sleep(50);
    expect(c.started).toBe(after);
  });

  it('abort while the consumer works: the next turn throws AbortError, the pending samples finish, nothing new starts', async () => {
    const { adapter, c } = counting(anatomy());
    const ac = new AbortController();
    let consumed = 0;
    const run = async () => {
      for await (const _ of samples(adapter, { count: 100, prefetch: 2, signal: ac.signal })) {
        if (++consumed === 4) ac.abort('enough');
      }
    };
    const err = await run().then(() => null, (e) => e);
    expect(err).toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect(err.message).toMatch(/enough/);
    expect(consumed).toBe(4);
    expect(c.started).toBeLessThanOrEqual(4 + 2);
    expect(c.inFlight).toBe(0);
  });

  it('abort while waiting for a slow sample rejects that next() promptly', async () => {
    const { adapter, c } = counting(anatomy(), 300);
    const ac = new AbortController();
    const stream = samples(adapter, { count: 100, prefetch: 1, signal: ac.signal });
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 20);
    await expect(stream.next()).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(c.started).toBe(2);
    expect(c.inFlight).toBe(0);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('an aborted signal starts nothing', async () => {
    const { adapter, c } = counting(anatomy());
    const stream = samples(adapter, { signal: AbortSignal.abort() });
    await expect(stream.next()).rejects.toMatchObject({ code: 'ABORTED' });
    expect(c.started).toBe(0);
  });

  it('a failing sample is thrown in its turn, after the ones before it, and stops the rest', async () => {
    const inner = anatomy();
    const { adapter, c } = counting({
      name: 'failing',
      make: async (i, slot, reuse) => {
        if (i === 3) throw new Error('sample 3 broke');
        return inner.make(i, slot, reuse);
      },
    });
    const seen: number[] = [];
    const run = async () => {
      for await (const s of samples(adapter, { count: 50, prefetch: 2 })) seen.push((s as { index: number }).index);
    };
    await expect(run()).rejects.toThrow(/sample 3 broke/);
    expect(seen).toEqual([0, 1, 2]);
    expect(c.started).toBeLessThanOrEqual(3 + 1 + 2);
    expect(c.inFlight).toBe(0);
  });

  it('refuses bad options with INVALID_ARGUMENT', () => {
    expect(() => samples(ANATOMY, { prefetch: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => samples(ANATOMY, { prefetc: 2 } as StreamOptions)).toThrow(/did you mean 'prefetch'/);
    expect(() => samples({ ...ANATOMY, imagSize: [8, 8, 8] } as GeneratorStreamOptions)).toThrow(/imageSize/);
    expect(() => samples({ generator: 'mri' } as unknown as GeneratorStreamOptions)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => samplesStream(ANATOMY, { reuse: true })).toThrow(/reuse/);
  });
});

describe('samplesStream(): a Readable for stream.pipeline', () => {
  it('delivers every sample in order and keeps to backpressure', async () => {
    const prefetch = 2;
    const { adapter, c } = counting(generatorAdapter(ANATOMY) as SampleAdapter<unknown>);
    const written: number[] = [];
    let maxAhead = 0;
    const slowSink = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(s: { index: number }, _enc, done) {
        written.push(s.index);
        maxAhead = Math.max(maxAhead, c.started - written.length);
        setTimeout(done, 3);
      },
    });
    await pipeline(samplesStream(adapter, { count: 40, prefetch }), slowSink);
    expect(written).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // Ahead of the sink: the pipeline's prefetch, the sample the iterator holds, one in the
    // Readable's buffer and one in the Writable's.
    expect(maxAhead).toBeLessThanOrEqual(prefetch + 3);
    expect(c.inFlight).toBe(0);
  });

  it('an abort destroys the Readable: the pipeline rejects with the AbortError', async () => {
    const { adapter, c } = counting(generatorAdapter(ANATOMY) as SampleAdapter<unknown>);
    const ac = new AbortController();
    let written = 0;
    const sink = new Writable({
      objectMode: true,
      write(_s, _enc, done) {
        if (++written === 3) ac.abort();
        done();
      },
    });
    await expect(pipeline(samplesStream(adapter, { count: 1000, prefetch: 2, signal: ac.signal }), sink)).rejects.toMatchObject({ name: 'AbortError' });
    expect(written).toBeLessThan(10);
    expect(c.inFlight).toBe(0);
  });

  it('a failing sink stops the generation like break', async () => {
    const { adapter, c } = counting(generatorAdapter(ANATOMY) as SampleAdapter<unknown>);
    const sink = new Writable({
      objectMode: true,
      write(s: { index: number }, _enc, done) {
        done(s.index === 5 ? new Error('disk full') : null);
      },
    });
    await expect(pipeline(samplesStream(adapter, { count: 1000, prefetch: 2 }), sink)).rejects.toThrow(/disk full/);
    await sleep(20);
    expect(c.inFlight).toBe(0);
    const after = c.started;
    expect(after).toBeLessThan(20);
    await sleep(50);
    expect(c.started).toBe(after);
  });
});
