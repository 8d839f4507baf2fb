/**
 * `medsynth longitudinal vae-train`: the ConvVAE trained on a longitudinal dataset's images.h5.
 * The last 20 % of subjects are held out (validation ELBO, reconstructions and the latent ↔ true z
 * check); images are scaled into [0, 1] by the training images' 0.5 / 99.5 % quantiles (clamped),
 * the scale saved with the model. Writes model.safetensors, training_log.csv, reconstructions.png,
 * latent_traversal.png and vae_summary.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { setThreads } from '../core/threads.js';
import { MedsynthError } from '../errors.js';
import { latentTraversalPng } from '../generators/longitudinal/preview.js';
import { openH5, type H5Dataset } from '../io/hdf5.js';
import { encodePng } from '../io/png.js';
import { withArena } from '../nn/arena.js';
import { noGrad } from '../nn/autograd.js';
import { saveCheckpoint } from '../nn/checkpoint.js';
import { batchRanges, gatherRows, permutation } from '../nn/data.js';
import { sigmoid } from '../nn/ops/pointwise.js';
import { Adam } from '../nn/optim/adam.js';
import { Trainer } from '../nn/trainer.js';
import { RgbCanvas } from '../preview/canvas.js';
import { choleskySolve } from '../survival/cox_fit.js';
import { ConvVae, vaeLoss } from './conv_vae.js';
import { VaeDecoder, type IntensityScale } from './vae_decoder.js';

export interface VaeTrainOptions {
  data: string;
  out: string;
  epochs: number;
  batchSize: number;
  lr: number;
  latentDim: number;
  beta: number;
  seed: number;
  /** Use only the first `limit` subjects (default all). */
  limit?: number;
  threads?: number;
}

export interface VaeEpochRow {
  epoch: number;
  train_reconstruction: number;
  train_kl: number;
  train_elbo: number;
  val_reconstruction: number;
  val_kl: number;
  val_elbo: number;
  /** Mean squared error per pixel of the posterior-mean reconstruction, in the [0, 1] scale. */
  val_pixel_mse: number;
  seconds: number;
}

export interface LongitudinalImages {
  images: Float32Array;
  z: Float64Array;
  n: number;
  height: number;
  width: number;
  zDim: number;
}

export async function readLongitudinalImages(dir: string, limit?: number): Promise<LongitudinalImages> {
  const file = await openH5(path.join(dir, 'images.h5'));
  try {
    const imagesDs = file.get('images') as H5Dataset | null;
    const zDs = file.get('z') as H5Dataset | null;
    if (!imagesDs || !zDs || imagesDs.shape?.length !== 3) throw new MedsynthError('CORRUPT_FILE', `${dir}/images.h5 is not a medsynth longitudinal output (needs images [n,H,W] and z [n,D])`);
    const [N, height, width] = imagesDs.shape as number[];
    const n = Math.min(N, limit ?? N);
    const zDim = (zDs.shape as number[])[1];
    const images = Float32Array.from(imagesDs.slice([[0, n]]) as ArrayLike<number>);
    const z = Float64Array.from(zDs.slice([[0, n]]) as ArrayLike<number>);
    return { images, z, n, height, width, zDim };
  } finally {
    file.close();
  }
}

/** 0.5 % and 99.5 % quantiles of `values`. */
export function intensityScale(values: Float32Array): IntensityScale {
  const s = Float32Array.from(values).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
  const lo = q(0.005);
  const hi = q(0.995);
  return { lo, hi: hi > lo ? hi : lo + 1 };
}

function scaled(images: Float32Array, { lo, hi }: IntensityScale): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, (images[i] - lo) / (hi - lo)));
  return out;
}

/**
 * R² of each column of `y` ([n, q]) regressed (OLS with intercept) on `x` ([n, p]), fitted on
 * rows `fit` and evaluated on rows `test` (out-of-sample R² = 1 − SSE/SST about the test mean).
 */
export function regressionR2(x: Float64Array, p: number, y: Float64Array, q: number, fit: readonly number[], test: readonly number[]): number[] {
  const k = p + 1;
  const row = (i: number) => [1, ...Array.from(x.subarray(i * p, (i + 1) * p))];
  const xtx = new Float64Array(k * k);
  for (const i of fit) {
    const r = row(i);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) xtx[a * k + b] += r[a] * r[b];
  }
  for (let a = 0; a < k; a++) xtx[a * k + a] += 1e-9;
  return Array.from({ length: q }, (_, j) => {
    const xty = new Float64Array(k);
    for (const i of fit) row(i).forEach((v, a) => (xty[a] += v * y[i * q + j]));
    const beta = choleskySolve(xtx, xty, k);
    let mean = 0;
    for (const i of test) mean += y[i * q + j] / test.length;
    let sse = 0, sst = 0;
    for (const i of test) {
      const pred = row(i).reduce((s, v, a) => s + v * beta[a], 0);
      sse += (y[i * q + j] - pred) ** 2;
      sst += (y[i * q + j] - mean) ** 2;
    }
    return 1 - sse / sst;
  });
}

/** Originals (top row) above their posterior-mean reconstructions (bottom row), one window. */
function reconstructionsPng(orig: Float32Array, recon: Float32Array, count: number, H: number, W: number, scale: IntensityScale): Buffer {
  const gap = 4, header = 16, label = 92;
  const c = new RgbCanvas(label + count * (W + gap) + gap, header + 2 * (H + gap) + 14, [16, 16, 20]);
  c.text(gap, 3, `top: held-out originals; bottom: VAE reconstructions (posterior mean); window ${scale.lo.toFixed(2)}..${scale.hi.toFixed(2)}`, [230, 230, 230]);
  [orig, recon].forEach((src, row) => {
    const top = header + row * (H + gap);
    c.text(gap, top + H / 2 - 4, row ? 'reconstruction' : 'original', [150, 150, 150]);
    for (let k = 0; k < count; k++) {
      const left = label + gap + k * (W + gap);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const v = src[(k * H + y) * W + x];
          const g = Math.round(255 * Math.min(1, Math.max(0, (v - scale.lo) / (scale.hi - scale.lo))));
          c.set(left + x, top + y, [g, g, g]);
        }
      }
    }
  });
  return encodePng(c.pixels, c.width, c.height, 3);
}

function csv(rows: readonly VaeEpochRow[]): string {
  const cols = Object.keys(rows[0] ?? {}) as (keyof VaeEpochRow)[];
  return [cols.join(','), ...rows.map((r) => cols.map((k) => (k === 'epoch' ? String(r[k]) : r[k].toPrecision(6))).join(','))].join('\n') + '\n';
}

export interface VaeTrainResult {
  /** True when `shouldStop` ended training early (the outputs hold the epochs completed). */
  interrupted: boolean;
  rows: VaeEpochRow[];
  r2: number[];
  activeDims: number[];
  files: string[];
  seconds: number;
}

/** What the training job reports (structured-cloneable, so it crosses the worker boundary). */
export interface VaeTrainEvent {
  type: 'info';
  line: string;
}

/**
 * A TRAINING_JOBS job: synchronous between awaits, so the CLI runs it in a worker
 * (lib/nn/worker_runner.ts); `shouldStop` (SIGINT there) ends training after the current step.
 */
export async function trainVae(o: VaeTrainOptions, emit: (event: VaeTrainEvent) => void, shouldStop: () => boolean = () => false): Promise<VaeTrainResult> {
  const log = (line: string) => emit({ type: 'info', line });
  if (o.threads !== undefined) setThreads(o.threads);
  const data = await readLongitudinalImages(o.data, o.limit);
  const { n, height: H, width: W } = data;
  if (n < 10) throw new MedsynthError('INVALID_ARGUMENT', `vae-train needs at least 10 images, ${o.data} has ${n}`);
  const nVal = Math.max(2, Math.floor(n / 5));
  const nTrain = n - nVal;
  const scale = intensityScale(data.images.subarray(0, nTrain * H * W));
  const x = scaled(data.images, scale);
  const model = new ConvVae({ height: H, width: W, latentDim: o.latentDim, seed: o.seed });
  const optimizer = new Adam(model.parameters(), { lr: o.lr });
  const trainer = new Trainer(model, optimizer, { seed: o.seed });
  log(`ConvVAE ${H}x${W}, latent ${o.latentDim}: ${model.parameterCount()} parameters; ${nTrain} train / ${nVal} held-out images; Adam lr ${o.lr}, batch ${o.batchSize}, beta ${o.beta}, ${o.epochs} epochs`);
  const shape = [1, H, W];
  const valIdx = Int32Array.from({ length: nVal }, (_, i) => nTrain + i);

  // Posterior means and reconstruction terms of rows `idx` without the tape.
  const evaluate = (idx: Int32Array, keep: { mu?: Float64Array; recon?: Float32Array } = {}) => {
    let rec = 0, kl = 0, se = 0;
    for (const [s, e] of batchRanges(idx.length, 64)) {
      withArena(() =>
        noGrad(() => {
          const target = gatherRows(x, shape, idx.subarray(s, e));
          const out = model.run(target, null);
          const l = vaeLoss(out, target, o.beta);
          rec += l.reconstruction.item() * (e - s);
          kl += l.kl.item() * (e - s);
          const p = sigmoid(out.logits);
          for (let i = 0; i < p.size; i++) se += (p.data[i] - target.data[i]) ** 2;
          keep.mu?.set(Float64Array.from(out.mu.data), s * o.latentDim);
          if (keep.recon) for (let i = 0; i < p.size; i++) keep.recon[s * H * W + i] = scale.lo + (scale.hi - scale.lo) * p.data[i];
        }),
      );
    }
    return { rec: rec / idx.length, kl: kl / idx.length, mse: se / (idx.length * H * W) };
  };

  const rows: VaeEpochRow[] = [];
  const started = performance.now();
  let interrupted = false;
  for (let epoch = 1; epoch <= o.epochs && !interrupted; epoch++) {
    const t0 = performance.now();
    const order = permutation(nTrain, o.seed, epoch);
    let rec = 0, kl = 0, elbo = 0;
    let seen = 0;
    for (const [s, e] of batchRanges(nTrain, o.batchSize)) {
      if (shouldStop()) {
        interrupted = true;
        break;
      }
      const idx = order.subarray(s, e);
      seen += idx.length;
      trainer.trainStep(() => {
        const target = gatherRows(x, shape, idx);
        const l = vaeLoss(model.run(target, { seed: o.seed, step: trainer.globalStep }), target, o.beta);
        rec += l.reconstruction.item() * idx.length;
        kl += l.kl.item() * idx.length;
        elbo += l.loss.item() * idx.length;
        return { loss: l.loss, count: idx.length };
      }, epoch);
    }
    if (seen === 0) break;
    const v = evaluate(valIdx);
    const row: VaeEpochRow = {
      epoch,
      train_reconstruction: rec / seen,
      train_kl: kl / seen,
      train_elbo: -elbo / seen,
      val_reconstruction: v.rec,
      val_kl: v.kl,
      val_elbo: -(v.rec + o.beta * v.kl),
      val_pixel_mse: v.mse,
      seconds: (performance.now() - t0) / 1000,
    };
    rows.push(row);
    log(`epoch ${String(epoch).padStart(3)} | train rec ${row.train_reconstruction.toFixed(1)} KL ${row.train_kl.toFixed(2)} | val rec ${v.rec.toFixed(1)} KL ${v.kl.toFixed(2)} pixel MSE ${v.mse.toFixed(5)} | ${row.seconds.toFixed(1)} s`);
  }
  const seconds = (performance.now() - started) / 1000;

  // Latent ↔ truth: posterior means of every image; OLS fitted on train rows, R² on held-out rows.
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const mu = new Float64Array(n * o.latentDim);
  const recon = new Float32Array(n * H * W);
  evaluate(all, { mu, recon });
  const trainRows = Array.from({ length: nTrain }, (_, i) => i);
  const valRows = Array.from(valIdx);
  const r2 = regressionR2(mu, o.latentDim, data.z, data.zDim, trainRows, valRows);
  // Active dimensions: largest mean KL on the held-out images (the traversal rows).
  const klPerDim = Array.from({ length: o.latentDim }, (_, d) => {
    let s = 0;
    for (const i of valRows) s += mu[i * o.latentDim + d] ** 2;
    return { d, v: s / nVal };
  });
  const activeDims = klPerDim.sort((a, b) => b.v - a.v).slice(0, Math.min(4, o.latentDim)).map((e) => e.d).sort((a, b) => a - b);

  mkdirSync(o.out, { recursive: true });
  const files: string[] = [];
  const put = (name: string, content: string | Uint8Array) => {
    const f = path.join(o.out, name);
    writeFileSync(f, content);
    files.push(f);
  };
  const modelFile = path.join(o.out, 'model.safetensors');
  saveCheckpoint(modelFile, model, {
    architecture: model.architecture(),
    config: { data: path.resolve(o.data), n_train: nTrain, n_val: nVal, epochs: o.epochs, batch_size: o.batchSize, lr: o.lr, beta: o.beta, seed: o.seed, intensity_scale: scale, loss: 'sum-BCE + beta*KL per image' },
    training: { completed_epochs: rows.length, interrupted, step: trainer.globalStep, history: rows },
  });
  files.push(modelFile);
  put('training_log.csv', csv(rows));
  const show = Math.min(8, nVal);
  const first = nTrain * H * W;
  put('reconstructions.png', reconstructionsPng(data.images.subarray(first, first + show * H * W), recon.subarray(first, first + show * H * W), show, H, W, scale));
  const decoder = new VaeDecoder(model, scale, 'vae');
  put('latent_traversal.png', await latentTraversalPng(decoder, { dims: activeDims }));
  put(
    'vae_summary.json',
    JSON.stringify(
      {
        architecture: model.architecture(),
        parameters: model.parameterCount(),
        options: { ...o, threads: undefined },
        n_train: nTrain,
        n_val: nVal,
        intensity_scale: scale,
        train_seconds: seconds,
        final: rows[rows.length - 1],
        traversal_dims: activeDims,
        traversal_dims_rule: 'the 4 latent dimensions with the largest mean mu^2 on held-out images',
        true_z_r2: Object.fromEntries(r2.map((v, j) => [`z${j}`, v])),
        true_z_r2_method: 'OLS of each true z dimension on all posterior means (+ intercept), fitted on train images, R2 on held-out images',
        decoder: decoder.describe(),
      },
      null,
      2,
    ) + '\n',
  );
  return { interrupted, rows, r2, activeDims, files, seconds };
}
