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

// Messages are handled one at a time (a chain of promises), and 'close' releases the session and
// closes the port so the thread ends by itself: a worker must never be terminated while ORT's
// synchronous run() (or session creation) is in flight — the run completes, its result can no
// longer be turned into JavaScript values, and node-addon-api aborts the whole process with
// "terminate called after throwing an instance of 'Napi::Error'" (reproduced with onnxruntime-node
// 1.30 by calling worker.terminate() 150 ms into a U-Net run).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fail = (err) => parentPort.postMessage({ kind: 'error', message: String(err && err.message || err) });
(async () => {
  const ort = require(workerData.ortPath);
  const { Bench } = await import(workerData.tinybenchUrl);
  const session = await ort.InferenceSession.create(workerData.model, {
    intraOpNumThreads: workerData.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const [k, v] of Object.entries(workerData.feeds)) feeds[k] = new ort.Tensor('float32', v.data, v.dims);
  const handle = async (m) => {
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
      parentPort.close();
    }
  };
  let queue = Promise.resolve();
  parentPort.on('message', (m) => { queue = queue.then(() => handle(m)).catch(fail); });
  parentPort.postMessage({ kind: 'ready' });
})().catch((err) => { fail(err); parentPort.close(); });
`;

export interface Latency {
  medianMs: number;
  p90Ms: number;
  samples: number;
}

export class OrtWorker {
  /** Settles when the thread has ended (on its own after 'close', or after a failed start). */
  private readonly exited: Promise<void>;
  private alive = true;
  /** The last request sent: close() waits for it, so the thread is never stopped mid-run. */
  private pending: Promise<unknown> = Promise.resolve();

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => {
      this.alive = false;
      resolve();
    }));
  }

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
    try {
      await w.request({ kind: 'start' }, 'ready', false);
    } catch (err) {
      await w.exited; // a failed start closes its port: the thread ends by itself
      throw err;
    }
    return w;
  }

  private request<T>(message: { kind: string; [k: string]: unknown }, answer: string, send = true): Promise<T> {
    if (!this.alive) return Promise.reject(new MedsynthError('INVALID_ARGUMENT', 'the onnxruntime worker has already ended'));
    const p = new Promise<T>((resolve, reject) => {
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
      const onExit = () => {
        cleanup();
        reject(new MedsynthError('INVALID_ARGUMENT', `the onnxruntime worker ended before answering '${message.kind}'`));
      };
      const cleanup = () => {
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.on('exit', onExit);
      if (send) this.worker.postMessage(message);
    });
    this.pending = p.catch(() => undefined);
    return p;
  }

  run(): Promise<Record<string, NamedArray>> {
    return this.request({ kind: 'run' }, 'ran');
  }

  bench({ timeMs = 2000, iterations = 10 } = {}): Promise<Latency> {
    return this.request({ kind: 'bench', timeMs, iterations }, 'benched');
  }

  /**
   * Waits for the request in flight, releases the session and lets the thread end by itself.
   * Never worker.terminate(): see WORKER_SOURCE.
   */
  async close(): Promise<void> {
    await this.pending;
    if (this.alive) await this.request({ kind: 'close' }, 'closed').catch(() => undefined);
    await this.exited;
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
