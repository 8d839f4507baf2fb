/**
 * An ORT session living in a worker thread: `InferenceSession.run()` is synchronous native work
 * that blocks its event loop, so benchmarks (and anything that must stay responsive) run it
 * there. `run()` does one inference; `bench()` times inference with tinybench inside the worker
 * (no message passing in the timed loop) and returns median and p90 latency.
 *
 * The worker is plain JavaScript evaluated from a string, so it runs the same under vitest (TS
 * sources) and from dist/; it loads onnxruntime-node and tinybench by their resolved paths.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import { MedsynthError } from '../errors.js';
import type { NamedArray } from './ort.js';

const require = createRequire(import.meta.url);

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const ort = require(workerData.ortPath);
  const { Bench } = await import(workerData.tinybenchUrl);
  const session = await ort.InferenceSession.create(workerData.model, {
    intraOpNumThreads: workerData.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const [k, v] of Object.entries(workerData.feeds)) feeds[k] = new ort.Tensor('float32', v.data, v.dims);
  parentPort.on('message', async (m) => {
    try {
      if (m.kind === 'run') {
        const out = await session.run(feeds);
        const result = {};
        for (const [k, t] of Object.entries(out)) result[k] = { data: t.data, dims: t.dims };
        parentPort.postMessage({ kind: 'ran', result });
      } else if (m.kind === 'bench') {
        await session.run(feeds);
        const bench = new Bench({ time: m.timeMs, iterations: m.iterations, warmupIterations: 2, retainSamples: true, throws: true });
        bench.add('run', async () => { await session.run(feeds); });
        await bench.run();
        const r = bench.tasks[0].result;
        const s = [...r.latency.samples].sort((a, b) => a - b);
        const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
        parentPort.postMessage({ kind: 'benched', result: { medianMs: q(0.5), p90Ms: q(0.9), samples: s.length } });
      } else if (m.kind === 'close') {
        await session.release();
        parentPort.postMessage({ kind: 'closed' });
      }
    } catch (err) {
      parentPort.postMessage({ kind: 'error', message: String(err && err.message || err) });
    }
  });
  parentPort.postMessage({ kind: 'ready' });
})().catch((err) => parentPort.postMessage({ kind: 'error', message: String(err && err.message || err) }));
`;

export interface Latency {
  medianMs: number;
  p90Ms: number;
  samples: number;
}

export class OrtWorker {
  private constructor(private readonly worker: Worker) {}

  /** Starts a worker holding a session of `model` with `threads` intra-op threads and fixed inputs. */
  static async start(model: Uint8Array, feeds: Record<string, NamedArray>, threads: number): Promise<OrtWorker> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        model,
        feeds,
        threads,
        ortPath: require.resolve('onnxruntime-node'),
        tinybenchUrl: pathToFileURL(require.resolve('tinybench')).href,
      },
    });
    const w = new OrtWorker(worker);
    await w.request({ kind: 'start' }, 'ready', false);
    return w;
  }

  private request<T>(message: { kind: string; [k: string]: unknown }, answer: string, send = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onMessage = (m: { kind: string; result?: T; message?: string }) => {
        if (m.kind !== answer && m.kind !== 'error') return;
        cleanup();
        if (m.kind === 'error') reject(new MedsynthError('CORRUPT_FILE', `onnxruntime: ${m.message?.split('\n')[0]}`));
        else resolve(m.result as T);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      if (send) this.worker.postMessage(message);
    });
  }

  run(): Promise<Record<string, NamedArray>> {
    return this.request({ kind: 'run' }, 'ran');
  }

  bench({ timeMs = 2000, iterations = 10 } = {}): Promise<Latency> {
    return this.request({ kind: 'bench', timeMs, iterations }, 'benched');
  }

  async close(): Promise<void> {
    try {
      await this.request({ kind: 'close' }, 'closed');
    } finally {
      await this.worker.terminate();
    }
  }
}

/** Median and p90 latency of `model` on `feeds` at `threads` intra-op threads, timed in a worker. */
export async function benchmarkLatency(model: Uint8Array, feeds: Record<string, NamedArray>, threads: number, options?: { timeMs?: number; iterations?: number }): Promise<Latency> {
  const w = await OrtWorker.start(model, feeds, threads);
  try {
    return await w.bench(options);
  } finally {
    await w.close();
  }
}
