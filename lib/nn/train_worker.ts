/**
 * The worker side of worker_runner.ts: runs one training job off the main thread. Events go to
 * the parent as messages; the parent's stop flag (a shared Int32) is polled between steps.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { MedsynthError } from '../errors.js';
import { TRAINING_JOBS } from './training_jobs.js';

interface WorkerInput {
  job: string;
  options: unknown;
  stop: SharedArrayBuffer;
}

async function main(): Promise<void> {
  const { job, options, stop } = workerData as WorkerInput;
  const flag = new Int32Array(stop);
  const port = parentPort!;
  try {
    const load = TRAINING_JOBS[job];
    if (!load) throw new MedsynthError('INVALID_ARGUMENT', `unknown training job '${job}'`);
    const run = await load();
    const result = await run(options as never, (event) => port.postMessage({ kind: 'event', event }), () => Atomics.load(flag, 0) !== 0);
    port.postMessage({ kind: 'done', result });
  } catch (err) {
    const e = err as { code?: string; message?: string; stack?: string };
    port.postMessage({ kind: 'error', code: e?.code, message: e?.message ?? String(err), stack: e?.stack });
  }
}

void main();
