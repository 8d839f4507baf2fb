/**
 * Seed 002's downstream experiment: the small 3D CNN (nodule_classifier.ts) trained on the
 * imbalanced cohort ('none'), on the cohort balanced 1:1 with procedural + augmented malignant
 * nodules ('procedural', what `medsynth nodules --balance` writes) and balanced with WGAN-GP
 * samples ('gan'), each for several training seeds, then evaluated on an imbalanced test set that
 * shares no nodule with training (downstream.ts) — with the seed's columns (accuracy,
 * sensitivity, specificity, AUC) and the oracle beside them: the risk model's true P(malignant)
 * of each test nodule, the best any classifier can do on these labels.
 *
 * Decision thresholds, both reported: 0.5 on the softmax probability (what the seed's table
 * implies), and the threshold maximising Youden's J on the imbalanced validation split (chosen
 * per model, then applied to the test set). The oracle is also shown at 1/(1 + ratio): the
 * threshold that 0.5 becomes when a calibrated model is trained on a 1:1 set (the posterior odds
 * grow by the ratio), which is what balancing does to an ideal classifier.
 *
 * Training: Adam, cross-entropy, shuffled batches, a validation pass per epoch — the engine's
 * fit()/Trainer; no early stopping, the last epoch's weights are evaluated.
 */
import path from 'node:path';

import { setThreads } from '../core/threads.js';
import { MedsynthError, invalidParameter } from '../errors.js';
import { binaryMetrics, youdenThreshold, type BinaryMetrics } from '../generators/nodules/classification_metrics.js';
import {
  BALANCE_ARMS, GAN_SOURCE, evaluationSplits, renderPatchSet, trainingPlan,
  type BalanceArm, type DownstreamSplits, type PatchSet,
} from '../generators/nodules/downstream.js';
import type { BalanceEntry } from '../generators/nodules/balance.js';
import { resolveNoduleOptions, type ResolvedNoduleOptions } from '../generators/nodules/options.js';
import type { NoduleSource } from '../generators/nodules/source.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { batchRanges, gatherLabels, permutation } from '../nn/data.js';
import { fit, historyCsv, type EpochRecord } from '../nn/fit.js';
import { crossEntropy } from '../nn/ops/loss.js';
import { Adam } from '../nn/optim/adam.js';
import { Tensor } from '../nn/tensor.js';
import { countCorrect, Trainer, TrainingDiverged, type StepOutput } from '../nn/trainer.js';
import { checkInteger, checkNumber } from '../validate.js';
import { NoduleClassifier } from './nodule_classifier.js';
import { ganNoduleSource } from './nodule_gan_checkpoint.js';
import { huToUnit } from './nodule_gan_run.js';

export interface DownstreamOptions {
  outputDir: string;
  /** Imbalanced training cohort, validation and test sizes. */
  nTrain: number;
  nVal: number;
  nTest: number;
  /** Training sets to compare (each trained `seeds` times). */
  arms: readonly BalanceArm[];
  /** A NoduleGenerator checkpoint (medsynth nodules gan-train); required by the 'gan' arm. */
  ganCheckpoint?: string;
  /** Training seeds 0 … seeds − 1 (initial weights, shuffles). */
  seeds: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Patch side (the GAN's size when one is used). */
  size: number;
  /** Channels of the classifier's first convolution. */
  width: number;
  /** Seed of every nodule (training, validation, test, procedural extras, GAN latents). */
  datasetSeed: number;
  /** Benign:malignant ratio of the generated cohorts. Default 12 (the seed's). */
  malignantRatio?: number;
  threads?: number;
}

export const DOWNSTREAM_DEFAULTS = {
  nTrain: 2600,
  nVal: 1300,
  nTest: 2600,
  arms: ['none', 'procedural'] as BalanceArm[],
  seeds: 3,
  epochs: 12,
  batchSize: 16,
  lr: 1e-3,
  size: 32,
  width: 4,
  datasetSeed: 42,
  malignantRatio: 12,
};

export type DownstreamEvent = { type: 'info'; line: string } | { type: 'progress'; label: string; done: number; total: number };

interface Stat {
  mean: number;
  sd: number;
}

export interface DownstreamRun {
  arm: BalanceArm;
  seed: number;
  train_size: number;
  train_malignant: number;
  steps: number;
  train_seconds: number;
  /** Youden threshold chosen on the validation split. */
  validation_threshold: number;
  at_0_5: BinaryMetrics;
  at_validation_threshold: BinaryMetrics;
}

type MetricName = 'accuracy' | 'sensitivity' | 'specificity' | 'auc';
const METRICS: MetricName[] = ['accuracy', 'sensitivity', 'specificity', 'auc'];

export interface ArmSummary {
  arm: BalanceArm;
  runs: number;
  train_size: number;
  train_malignant: number;
  at_0_5: Record<MetricName, Stat>;
  at_validation_threshold: Record<MetricName, Stat> & { threshold: Stat };
}

export interface DownstreamResult {
  config: Record<string, unknown>;
  test: { n: number; malignant: number; prevalence: number };
  validation: { n: number; malignant: number };
  runs: DownstreamRun[];
  summary: ArmSummary[];
  oracle: { at_0_5: BinaryMetrics; at_validation_threshold: BinaryMetrics; at_prior_shift: BinaryMetrics };
  seconds: { data: number; training: number; total: number };
  files: string[];
}

interface Resolved extends Required<Omit<DownstreamOptions, 'ganCheckpoint' | 'threads'>> {
  ganCheckpoint?: string;
  threads?: number;
  nodules: ResolvedNoduleOptions;
  gan: NoduleSource | null;
  plans: Map<BalanceArm, BalanceEntry[]>;
  splits: DownstreamSplits;
}

/** Checks everything and loads the GAN before anything is generated or written. */
export function resolveDownstreamOptions(options: DownstreamOptions): Resolved {
  const o = { ...DOWNSTREAM_DEFAULTS, ...options };
  if (typeof o.outputDir !== 'string' || o.outputDir === '') throw invalidParameter('outputDir', 'a directory path', o.outputDir);
  checkInteger('nTrain', o.nTrain, 2, 1_000_000);
  checkInteger('nVal', o.nVal, 2, 1_000_000);
  checkInteger('nTest', o.nTest, 2, 1_000_000);
  checkInteger('seeds', o.seeds, 1, 1000);
  checkInteger('epochs', o.epochs, 1, 100_000);
  checkInteger('batchSize', o.batchSize, 1, 4096);
  checkNumber('lr', o.lr, { above: 0, max: 10 });
  checkInteger('width', o.width, 1, 256);
  checkInteger('datasetSeed', o.datasetSeed, 0, 2 ** 31);
  if (!Array.isArray(o.arms) || o.arms.length === 0) throw invalidParameter('arms', `a non-empty list of ${BALANCE_ARMS.join(', ')}`, o.arms);
  for (const a of o.arms) if (!(BALANCE_ARMS as readonly string[]).includes(a)) throw invalidParameter('arms', `arms among ${BALANCE_ARMS.join(', ')}`, a);
  if (new Set(o.arms).size !== o.arms.length) throw invalidParameter('arms', 'each arm once', o.arms.join(','));
  if (o.arms.includes('gan') !== (o.ganCheckpoint !== undefined)) {
    throw new MedsynthError('INVALID_ARGUMENT', o.ganCheckpoint === undefined ? "the 'gan' arm needs a GAN checkpoint (--gan-checkpoint)" : "a GAN checkpoint is only used by the 'gan' arm (add it to --balance)");
  }
  checkInteger('size', o.size, 8, 512);
  if (o.size % 4 !== 0) throw invalidParameter('size', 'a multiple of 4', o.size);
  const nodules = resolveNoduleOptions({ patchSize: [o.size, o.size, o.size], seed: o.datasetSeed, malignantRatio: o.malignantRatio });
  // Plans are labels only (no rendering): an n too small to hold both classes is refused here.
  const plans = new Map(o.arms.map((arm) => [arm, trainingPlan(nodules, o.nTrain, arm)]));
  const splits = evaluationSplits(nodules, o.nVal, o.nTest);
  const gan = o.ganCheckpoint === undefined ? null : ganNoduleSource(o.ganCheckpoint, o.datasetSeed, o.size);
  return { ...o, nodules, gan, plans, splits };
}

/** Batches of 5-D patch tensors from a PatchSet (rows gathered into one arena tensor). */
function gatherPatches(set: PatchSet, indices: ArrayLike<number>, size: number): Tensor {
  const v = size ** 3;
  const x = Tensor.empty([indices.length, 1, size, size, size]);
  for (let i = 0; i < indices.length; i++) x.data.set(set.patches[indices[i]], i * v);
  return x;
}

const sequential = (n: number, batch: number) => batchRanges(n, batch).map(([s, e]) => Int32Array.from({ length: e - s }, (_, i) => s + i));

/** P(malignant) of every patch (softmax of the two logits), in eval mode without the tape. */
function predict(trainer: Trainer, model: NoduleClassifier, set: PatchSet, batch: number): Float64Array {
  const probs = new Float64Array(set.patches.length);
  trainer.runEpoch('eval', 0, sequential(set.patches.length, batch), set.patches.length, (indices): StepOutput => {
    const logits = model.forward(gatherPatches(set, indices, model.size));
    for (let i = 0; i < indices.length; i++) probs[indices[i]] = 1 / (1 + Math.exp(logits.data[2 * i] - logits.data[2 * i + 1]));
    const y = gatherLabels(set.labels, indices);
    return { loss: crossEntropy(logits, y), count: indices.length };
  });
  return probs;
}

function stat(values: readonly number[]): Stat {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

function summarise(arm: BalanceArm, runs: DownstreamRun[]): ArmSummary {
  const of = (pick: (r: DownstreamRun) => BinaryMetrics) => Object.fromEntries(METRICS.map((m) => [m, stat(runs.map((r) => pick(r)[m]))])) as Record<MetricName, Stat>;
  return {
    arm,
    runs: runs.length,
    train_size: runs[0].train_size,
    train_malignant: runs[0].train_malignant,
    at_0_5: of((r) => r.at_0_5),
    at_validation_threshold: { ...of((r) => r.at_validation_threshold), threshold: stat(runs.map((r) => r.validation_threshold)) },
  };
}

export const ARM_TITLES: Record<BalanceArm, string> = {
  none: 'imbalanced (as generated)',
  procedural: 'balanced 1:1, procedural + augmented',
  gan: 'balanced 1:1, WGAN-GP samples',
};

const pct = (s: Stat, runs: number) => (runs > 1 ? `${(100 * s.mean).toFixed(1)} ± ${(100 * s.sd).toFixed(1)}%` : `${(100 * s.mean).toFixed(1)}%`);
const auc = (s: Stat, runs: number) => (runs > 1 ? `${s.mean.toFixed(3)} ± ${s.sd.toFixed(3)}` : s.mean.toFixed(3));
const one = (m: BinaryMetrics) => ({ accuracy: { mean: m.accuracy, sd: 0 }, sensitivity: { mean: m.sensitivity, sd: 0 }, specificity: { mean: m.specificity, sd: 0 }, auc: { mean: m.auc, sd: 0 } });

/** The seed's table, one block per threshold rule, the oracle rows last. */
export function downstreamTable(r: Omit<DownstreamResult, 'files'>): string {
  const ratio = Number(r.config.malignant_ratio);
  const head = '| training set | n train (malignant) | threshold | accuracy | sensitivity | specificity | AUC |\n|---|---|---|---|---|---|---|';
  const row = (name: string, n: string, t: string, m: Record<MetricName, Stat>, runs: number) =>
    `| ${name} | ${n} | ${t} | ${pct(m.accuracy, runs)} | ${pct(m.sensitivity, runs)} | ${pct(m.specificity, runs)} | ${auc(m.auc, runs)} |`;
  const lines = [head];
  for (const s of r.summary) lines.push(row(ARM_TITLES[s.arm], `${s.train_size} (${s.train_malignant})`, '0.5', s.at_0_5, s.runs));
  for (const s of r.summary) {
    const t = s.at_validation_threshold.threshold;
    lines.push(row(ARM_TITLES[s.arm], `${s.train_size} (${s.train_malignant})`, `val. Youden (${s.runs > 1 ? `${t.mean.toPrecision(2)} ± ${t.sd.toPrecision(1)}` : t.mean.toPrecision(2)})`, s.at_validation_threshold, s.runs));
  }
  const o = r.oracle;
  lines.push(row('**oracle**: true P(malignant)', '—', '0.5', one(o.at_0_5), 1));
  lines.push(row('**oracle**: true P(malignant)', '—', `1/(1+${ratio}) (prior shift)`, one(o.at_prior_shift), 1));
  lines.push(row('**oracle**: true P(malignant)', '—', `val. Youden (${o.at_validation_threshold.threshold.toPrecision(2)})`, one(o.at_validation_threshold), 1));
  const runs = r.summary[0]?.runs ?? 0;
  return (
    `Test set: ${r.test.n} nodules, ${r.test.malignant} malignant (prevalence ${(100 * r.test.prevalence).toFixed(1)}%), ` +
    `disjoint from training; validation: ${r.validation.n} (${r.validation.malignant} malignant). ` +
    `${runs > 1 ? `Mean ± sd over ${runs} training seeds.` : 'One training seed.'} Malignant where P ≥ threshold.\n\n` +
    lines.join('\n') + '\n'
  );
}

function predictionsCsv(test: PatchSet, columns: Array<[string, Float64Array]>): string {
  const header = ['index', 'malignant', 'true_probability', ...columns.map(([name]) => name)].join(',');
  // Shortest round-trip decimals: the file reproduces metrics.json exactly (rounding would make ties).
  const rows = test.entries.map((e, i) => [e.index, test.labels[i], String(test.probability[i]), ...columns.map(([, p]) => String(p[i]))].join(','));
  return [header, ...rows].join('\n') + '\n';
}

export async function runDownstreamExperiment(options: DownstreamOptions, emit: (e: DownstreamEvent) => void = () => {}): Promise<DownstreamResult> {
  const started = performance.now();
  const o = resolveDownstreamOptions(options);
  if (o.threads !== undefined) setThreads(o.threads);
  const nod = o.nodules;
  const config = {
    n_train: o.nTrain, n_val: o.nVal, n_test: o.nTest, arms: o.arms, gan_checkpoint: o.ganCheckpoint ?? null,
    seeds: o.seeds, epochs: o.epochs, batch_size: o.batchSize, lr: o.lr, optimizer: 'Adam', loss: 'cross_entropy',
    size: o.size, spacing_mm: nod.spacing, width: o.width, dataset_seed: o.datasetSeed, malignant_ratio: nod.malignantRatio,
    input: 'HU windowed [-1000, 400] → [-1, 1]',
    thresholds: { fixed: 0.5, tuned: "Youden's J on the validation split", oracle_prior_shift: 1 / (1 + nod.malignantRatio) },
  };

  // ---- data: validation and test once, training sets per arm sharing the cohort's patches
  const t0 = performance.now();
  const cache = new Map<string, Float32Array>();
  const render = async (label: string, entries: readonly BalanceEntry[]) =>
    renderPatchSet(nod, entries, { scale: huToUnit, cache, sources: o.gan ? { [GAN_SOURCE]: o.gan } : {}, onPatch: (done, total) => emit({ type: 'progress', label, done, total }) });
  const validation = await render('validation', o.splits.validation);
  const test = await render('test', o.splits.test);
  const trainSets = new Map<BalanceArm, PatchSet>();
  for (const arm of o.arms) trainSets.set(arm, await render(`train (${arm})`, o.plans.get(arm)!));
  const dataSeconds = (performance.now() - t0) / 1000;
  const count = (labels: Uint8Array) => labels.reduce((a, b) => a + b, 0);
  emit({ type: 'info', line: `data ready in ${dataSeconds.toFixed(0)} s: test ${o.nTest} (${count(test.labels)} malignant), validation ${o.nVal} (${count(validation.labels)} malignant)` });

  // ---- training: every arm × seed on the engine's fit loop
  const runs: DownstreamRun[] = [];
  const logRows: string[] = [];
  const columns: Array<[string, Float64Array]> = [];
  const tTrain = performance.now();
  for (const arm of o.arms) {
    const train = trainSets.get(arm)!;
    const n = train.patches.length;
    for (let seed = 0; seed < o.seeds; seed++) {
      const model = new NoduleClassifier({ size: o.size, width: o.width }, { seed });
      const trainer = new Trainer(model, new Adam(model.parameters(), { lr: o.lr }), { seed });
      const forward = ({ set, indices }: { set: PatchSet; indices: Int32Array }): StepOutput => {
        const logits = model.forward(gatherPatches(set, indices, o.size));
        const y = gatherLabels(set.labels, indices);
        return { loss: crossEntropy(logits, y), count: indices.length, correct: countCorrect(logits, y) };
      };
      const valBatches = sequential(o.nVal, o.batchSize).map((indices) => ({ set: validation, indices }));
      let history: EpochRecord[];
      try {
        history = fit({
          trainer,
          epochs: o.epochs,
          trainSplit: (epoch) => {
            const order = permutation(n, seed, epoch);
            return { batches: batchRanges(n, o.batchSize).map(([s, e]) => ({ set: train, indices: order.subarray(s, e) })), samples: n };
          },
          valSplit: () => ({ batches: valBatches, samples: o.nVal }),
          forward,
          onEpoch: (r) =>
            emit({ type: 'info', line: `${arm} seed ${seed} epoch ${r.epoch}/${o.epochs}: train loss ${r.train_loss.toFixed(4)} acc ${r.train_acc.toFixed(3)} | val loss ${r.val_loss.toFixed(4)} acc ${r.val_acc.toFixed(3)} | ${r.seconds.toFixed(0)} s` }),
        }).history;
      } catch (err) {
        if (err instanceof TrainingDiverged) throw new MedsynthError('TRAINING_DIVERGED', `${arm} seed ${seed}: ${err.message}. Try a lower --lr.`, { cause: err });
        throw err;
      }
      const [head, ...rows] = historyCsv(history).trimEnd().split('\n');
      if (logRows.length === 0) logRows.push(`arm,seed,${head}`);
      for (const row of rows) logRows.push(`${arm},${seed},${row}`);
      const valProbs = predict(trainer, model, validation, o.batchSize);
      const testProbs = predict(trainer, model, test, o.batchSize);
      const threshold = youdenThreshold(valProbs, validation.labels);
      const run: DownstreamRun = {
        arm, seed, train_size: n, train_malignant: count(train.labels), steps: trainer.globalStep,
        train_seconds: history.reduce((a, r) => a + r.seconds, 0),
        validation_threshold: threshold,
        at_0_5: binaryMetrics(testProbs, test.labels, 0.5),
        at_validation_threshold: binaryMetrics(testProbs, test.labels, threshold),
      };
      runs.push(run);
      columns.push([`${arm}_seed${seed}`, testProbs]);
      const m = run.at_0_5;
      emit({ type: 'info', line: `${arm} seed ${seed}: test acc ${m.accuracy.toFixed(3)} sens ${m.sensitivity.toFixed(3)} spec ${m.specificity.toFixed(3)} AUC ${m.auc.toFixed(3)} (at 0.5)` });
    }
  }
  const trainingSeconds = (performance.now() - tTrain) / 1000;

  // ---- the oracle: the risk model's own probability of each test nodule
  const oracle = {
    at_0_5: binaryMetrics(test.probability, test.labels, 0.5),
    at_validation_threshold: binaryMetrics(test.probability, test.labels, youdenThreshold(validation.probability, validation.labels)),
    at_prior_shift: binaryMetrics(test.probability, test.labels, 1 / (1 + nod.malignantRatio)),
  };
  const malignantTest = count(test.labels);
  const result: Omit<DownstreamResult, 'files'> = {
    config,
    test: { n: o.nTest, malignant: malignantTest, prevalence: malignantTest / o.nTest },
    validation: { n: o.nVal, malignant: count(validation.labels) },
    runs,
    summary: o.arms.map((arm) => summarise(arm, runs.filter((r) => r.arm === arm))),
    oracle,
    seconds: { data: dataSeconds, training: trainingSeconds, total: (performance.now() - started) / 1000 },
  };
  const files = ['metrics.json', 'results.md', 'training_log.csv', 'predictions.csv'].map((f) => path.join(o.outputDir, f));
  writeFileAtomicSync(files[3], predictionsCsv(test, columns));
  writeFileAtomicSync(files[2], logRows.join('\n') + '\n');
  writeFileAtomicSync(files[1], `# Seed 002 downstream experiment\n\n${downstreamTable(result)}`);
  writeFileAtomicSync(files[0], JSON.stringify(result, null, 2) + '\n');
  return { ...result, files };
}
