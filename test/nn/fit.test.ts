import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { fit } from '../../lib/nn/fit.js';
import { Linear } from '../../lib/nn/layers/index.js';
import { crossEntropy } from '../../lib/nn/ops/loss.js';
import { SGD } from '../../lib/nn/optim/index.js';
import { CosineAnnealingLR, EarlyStopping } from '../../lib/nn/schedule.js';
import { Trainer, TrainingDiverged } from '../../lib/nn/trainer.js';
import { tempDir } from '../helpers/tmp.js';
import { randomTensor } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Two fixed batches of a 3-feature, 2-class problem. */
function setup(lr: number) {
  const model = new Linear(3, 2);
  const optimizer = new SGD(model.parameters(), { lr });
  const trainer = new Trainer(model, optimizer, { seed: 0 });
  const batches = [0, 1].map((i) => ({ x: randomTensor([8, 3], 10 + i), y: Int32Array.from({ length: 8 }, (_, j) => (j + i) % 2) }));
  const forward = (b: (typeof batches)[number]) => ({ loss: crossEntropy(model.forward(b.x), b.y), count: 8 });
  return { model, optimizer, trainer, batches, forward };
}

describe('fit', () => {
  it('runs train and val passes, logs a CSV row per epoch, and stops when a callback says so', () => {
    const { optimizer, trainer, batches, forward } = setup(0.1);
    const early = new EarlyStopping(1, { minDelta: 10 });
    const cosine = new CosineAnnealingLR(optimizer, 10);
    const saved: number[] = [];
    const logFile = path.join(tmp.dir, 'log.csv');
    const r = fit({
      trainer,
      epochs: 10,
      trainSplit: () => ({ batches, samples: 16 }),
      valSplit: () => ({ batches: batches.slice(0, 1), samples: 8 }),
      forward,
      checkpoint: (done) => saved.push(done),
      logFile,
      onEpoch: (rec) => {
        cosine.step();
        return early.step(rec.val_loss, rec.epoch);
      },
    });
    // The first epoch sets the best; no later change beats minDelta 10, so the second one stops.
    expect(r.end).toBe('stopped');
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(saved).toEqual([1, 2]);
    expect(trainer.globalStep).toBe(4);
    expect(optimizer.lr).toBeLessThan(0.1);
    const csv = readFileSync(logFile, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    // Each row records the rate its epoch trained with (the schedule steps after the row).
    expect(csv[1].split(',')[5]).toBe((0.1).toPrecision(6));
    expect(csv[2].split(',')[5]).toBe((0.05 * (1 + Math.cos(Math.PI / 10))).toPrecision(6));
  });

  it('a NaN loss stops before its update, with nothing saved for that epoch', () => {
    const { model, trainer, batches, forward } = setup(0.1);
    const saved: number[] = [];
    let weights: Float32Array | null = null;
    const poisoned = { x: randomTensor([8, 3], 20), y: Int32Array.from({ length: 8 }, (_, j) => j % 2) };
    poisoned.x.data[5] = NaN;
    let error: unknown;
    try {
      fit({
        trainer,
        epochs: 5,
        trainSplit: (epoch) => ({ batches: epoch === 3 ? [batches[0], poisoned] : batches, samples: 16 }),
        forward,
        checkpoint: (done) => {
          saved.push(done);
          weights = Float32Array.from(model.weight.data);
        },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TrainingDiverged);
    expect((error as TrainingDiverged).epoch).toBe(3);
    expect((error as TrainingDiverged).step).toBe(5);
    expect(saved).toEqual([1, 2]);
    expect(model.weight.data.every(Number.isFinite)).toBe(true);
    expect(model.weight.data).not.toEqual(weights);
  });

});
