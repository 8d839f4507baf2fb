// medsynth inside other programs' worker_threads: one native pool for the whole process (no
// per-worker pool threads), thread counts shared by every thread, identical samples from every
// worker, and nothing leaked by loading it in workers that exit, again and again. Each check
// runs in a child process: a hang is killed by the timeout, and its RSS is medsynth's alone.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const DIST = path.join(ROOT, 'dist', 'lib');
const LIB = JSON.stringify(path.join(DIST, 'index.js'));
// The loop's workers load only what they use (the whole API takes ~1 s to import; the addon is
// loaded either way).
const PARTS = JSON.stringify([path.join(DIST, 'stream', 'samples.js'), path.join(DIST, 'core', 'threads.js')]);
const OPTIONS = `{ imageSize: [8, 16, 16], seed: 21 }`;

/** A worker: hashes samples [0, count) streamed with medsynth, reports them, waits for 'exit'. */
const WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
import { createHash } from 'node:crypto';
const m = workerData.whole ? await import(${LIB}) : Object.assign({}, ...(await Promise.all(${PARTS}.map((p) => import(p)))));
const bytes = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
for (let i = 0; i < (workerData.resizes ?? 0); i++) {
  m.setThreads(1 + (i % 4)); // while other workers' jobs run on the pool
  await new Promise((r) => setTimeout(r, 1));
}
const hashes = [];
if (workerData.announce) parentPort.postMessage('started');
const options = workerData.imageSize ? { ...${OPTIONS}, imageSize: workerData.imageSize } : ${OPTIONS};
for await (const s of m.samples(options, { count: workerData.count, prefetch: 2 })) {
  hashes.push(createHash('sha256').update(bytes(s.image)).update(bytes(s.labels)).digest('hex'));
}
const threadsSeen = m.getThreads();
if (workerData.setThreads) m.setThreads(workerData.setThreads);
parentPort.postMessage({ hashes, threadsSeen });
if (workerData.stay) parentPort.once('message', () => process.exit(0));
`;

const PARALLEL = `
import { Worker } from 'node:worker_threads';
import { readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
const m = await import(${LIB});
const bytes = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const tasks = () => readdirSync('/proc/self/task').length;
m.setThreads(4);
const want = [];
for (let i = 0; i < 6; i++) {
  const s = await m.generateSample(${OPTIONS}, i);
  want.push(createHash('sha256').update(bytes(s.image)).update(bytes(s.labels)).digest('hex'));
}
const start = (code, data, eval_ = false) => {
  const w = new Worker(code, { eval: eval_, workerData: data });
  const message = new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  return { w, message };
};
// Baseline: the threads 4 idle workers add, without medsynth.
const idle = Array.from({ length: 4 }, () => start("require('node:worker_threads').parentPort.postMessage(0); require('node:worker_threads').parentPort.once('message', () => process.exit(0));", {}, true));
await Promise.all(idle.map((x) => x.message));
const plainTasks = tasks();
idle.forEach((x) => x.w.postMessage('exit'));
await Promise.all(idle.map((x) => new Promise((r) => x.w.once('exit', r))));
// 4 workers streaming at once while the main thread generates too.
const busy = Array.from({ length: 4 }, () => start(process.env.WORKER, { count: 6, stay: true, whole: true }));
const [results] = await Promise.all([Promise.all(busy.map((x) => x.message)), m.generateSample(${OPTIONS}, 3)]);
const medsynthTasks = tasks();
busy.forEach((x) => x.w.postMessage('exit'));
await Promise.all(busy.map((x) => new Promise((r) => x.w.once('exit', r))));
// One worker resizing the pool again and again while three stream: the same bytes.
const racing = [start(process.env.WORKER, { count: 0, resizes: 1000 }), ...Array.from({ length: 3 }, () => start(process.env.WORKER, { count: 6 }))];
const raced = (await Promise.all(racing.map((x) => x.message))).slice(1);
// setThreads in a worker sets the one pool: the main thread sees it.
const setter = start(process.env.WORKER, { count: 1, setThreads: 1 });
await setter.message;
const afterWorkerSet = m.getThreads();
m.setThreads();
console.log(JSON.stringify({ want, results, raced, plainTasks, medsynthTasks, afterWorkerSet }));
`;

const LOOP = `
import { Worker } from 'node:worker_threads';
const iterations = 30;
const rss = [];
let first;
for (let i = 0; i < iterations; i++) {
  const w = new Worker(process.env.WORKER, { workerData: { count: 2 } });
  const exited = new Promise((r) => w.once('exit', r));
  const { hashes } = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await exited;
  first ??= hashes.join();
  if (hashes.join() !== first) throw new Error('worker ' + i + ' made other samples');
  globalThis.gc();
  rss.push(process.memoryUsage().rss);
}
// Workers terminated in the middle of generating (their tasks complete into a dying environment).
for (let i = 0; i < 10; i++) {
  const w = new Worker(process.env.WORKER, { workerData: { count: 1e6, announce: true, imageSize: [32, 64, 64] } });
  const exited = new Promise((r) => w.once('exit', r));
  await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await new Promise((r) => setTimeout(r, 30 + 10 * i));
  await w.terminate();
  await exited;
}
globalThis.gc();
rss.push(process.memoryUsage().rss);
console.log(JSON.stringify({ rss }));
`;

function runScript(dir: string, name: string, code: string, nodeArgs: string[] = []): Record<string, unknown> {
  const file = path.join(dir, name);
  writeFileSync(file, code);
  const worker = path.join(dir, 'worker.mjs');
  writeFileSync(worker, WORKER);
  const r = spawnSync(process.execPath, [...nodeArgs, file], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, WORKER: worker } });
  expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
  console.log(name, r.stdout.trim().split('\n').pop());
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('embedding in worker_threads', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('workers at once share one pool, see one thread count and make the same samples, even while one resizes it', () => {
    const out = runScript(tmp.dir, 'parallel.mjs', PARALLEL) as {
      want: string[]; results: { hashes: string[]; threadsSeen: number }[]; raced: { hashes: string[] }[]; plainTasks: number; medsynthTasks: number; afterWorkerSet: number;
    };
    expect(out.results).toHaveLength(4);
    expect(out.raced.map((r) => r.hashes)).toEqual([out.want, out.want, out.want]);
    for (const r of out.results) {
      expect(r.hashes).toEqual(out.want);
      expect(r.threadsSeen).toBe(4);
    }
    // A pool per worker would add 3 threads to each of the 4 (12); one pool adds none.
    expect(out.medsynthTasks - out.plainTasks).toBeLessThanOrEqual(2);
    expect(out.afterWorkerSet).toBe(1);
  });

  it('30 workers that load medsynth, generate and exit leak nothing; 10 terminated mid-generation do not crash it', () => {
    const { rss } = runScript(tmp.dir, 'loop.mjs', LOOP, ['--expose-gc']) as { rss: number[] };
    expect(rss).toHaveLength(31);
    const warm = rss[4];
    const growth = Math.max(...rss.slice(5, 30)) - warm;
    expect(growth).toBeLessThan(60 * 2 ** 20);
  });
});
