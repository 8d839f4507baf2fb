import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { expectedCalibrationError } from '../../lib/metric/calibration.js';
import { segmentationMetrics } from '../../lib/metric/segmentation.js';
import { openPetCtCohort } from '../../lib/studies/petct/cohort.js';
import { demoPanelRects, renderDemoFigure } from '../../lib/studies/petct/figures/demo.js';
import { renderReliabilityDiagram } from '../../lib/studies/petct/figures/reliability.js';
import { parseTrainingLog, renderTrainingCurves } from '../../lib/studies/petct/figures/training_curves.js';
import { summarisePixelPasses } from '../../lib/studies/petct/mc_dropout.js';
import { largestTumourSlice, loadDisplaySlice, loadSliceSet } from '../../lib/studies/petct/slices.js';
import { useSmallCohort, syntheticPasses } from '../helpers/petct_study.js';
import { decodeOwnPng, regionSpread } from '../helpers/png_decode.js';

const data = useSmallCohort('medsynth-petct-figures-', 6, 11);
// Set PETCT_FIGURES_DIR to keep the PNGs for looking at them.
const keep = process.env.PETCT_FIGURES_DIR;
function save(name: string, png: Buffer): void {
  if (!keep) return;
  mkdirSync(keep, { recursive: true });
  writeFileSync(path.join(keep, name), png);
}

const SIZE: [number, number] = [128, 128];

describe('PET/CT study figures', () => {
  it('demo figure: six labelled, non-blank panels from a real patient and a synthetic prediction', async () => {
    const cohort = openPetCtCohort(data.dir);
    const all = await loadSliceSet(cohort, cohort.patients.map((q) => q.id), { size: SIZE, tumourFreeShare: 0 });
    const area = (q: (typeof all.patients)[number]) => q.masks.reduce((a, v) => a + v, 0) / q.z.length;
    const p = all.patients.reduce((a, b) => (area(b) > area(a) ? b : a));
    const id = p.patient.id;
    // The slice with the most tumour, in display units (HU, SUV) from the raw volumes.
    const plane = SIZE[0] * SIZE[1];
    const best = largestTumourSlice(p, SIZE);
    const z = p.z[best];
    const { ctHu, petSuv } = await loadDisplaySlice(cohort, id, z, SIZE);
    await expect(loadDisplaySlice(cohort, id, 10_000, SIZE)).rejects.toThrow(/z/);
    const truth = p.masks.slice(best * plane, (best + 1) * plane);
    const passes = await syntheticPasses(truth, 1, SIZE, 20);
    const u = await summarisePixelPasses(passes);
    const dice = (await segmentationMetrics(u.mean, truth, { batch: 1, size: plane })).pooled.dice;
    const png = renderDemoFigure({
      patientId: id,
      sliceLabel: `AXIAL Z=${z}`,
      size: SIZE,
      ctHu,
      petSuv,
      truth,
      probability: u.mean,
      entropy: u.entropy,
      risk: { mean: 0.4, lower: -0.1, upper: 0.9 },
      cohortRisks: [-1.2, -0.8, -0.5, -0.3, 0.1, 0.2, 0.5, 0.9, 1.3],
      outcome: { timeMonths: p.patient.time, event: p.patient.event },
      dice,
      mcPasses: 20,
    });
    save('demo.png', png);
    const img = decodeOwnPng(png);
    expect(img.channels).toBe(3);
    expect(img.width).toBeGreaterThan(900);
    const rects = demoPanelRects();
    expect(rects).toHaveLength(6);
    for (const [x, y, w, h] of rects) {
      expect(x + w).toBeLessThanOrEqual(img.width);
      expect(y + h).toBeLessThanOrEqual(img.height);
      expect(regionSpread(img, x, y, w, h)).toBeGreaterThan(5);
    }
  });

  it('reliability diagram of pixel probabilities: written with the expected size, bars drawn', async () => {
    const cohort = openPetCtCohort(data.dir);
    const set = await loadSliceSet(cohort, cohort.patients.map((p) => p.id), { size: SIZE, tumourFreeShare: 0.2, maxTumourSlices: 6 });
    const plane = SIZE[0] * SIZE[1];
    const truth = new Float32Array(set.count * plane);
    let o = 0;
    for (const p of set.patients) {
      truth.set(p.masks, o);
      o += p.masks.length;
    }
    const u = await summarisePixelPasses(await syntheticPasses(truth, set.count, SIZE, 8));
    const label = Uint8Array.from(truth);
    const positive = await expectedCalibrationError(u.mean, label, { mode: 'positive' });
    const top = await expectedCalibrationError(u.mean, label);
    const png = renderReliabilityDiagram({ bins: positive.bins, ece: top.ece, positiveClassEce: positive.ece, title: `RELIABILITY: ${set.patients.length} PATIENTS, ${set.count} SLICES` });
    save('reliability.png', png);
    const img = decodeOwnPng(png);
    expect([img.width, img.height]).toEqual([640, 660]);
    expect(regionSpread(img, 80, 110, 480, 360)).toBeGreaterThan(10);
    // The default title (scale 2) ends before the right edge: its band's last 16 columns are
    // plain background, like the top-left corner.
    const plain = decodeOwnPng(renderReliabilityDiagram({ bins: positive.bins, ece: top.ece }));
    expect(regionSpread(plain, 16, 10, 400, 14)).toBeGreaterThan(10);
    expect(regionSpread(plain, plain.width - 16, 0, 16, 30)).toBeCloseTo(regionSpread(plain, 0, 0, 14, 8), 10);
  });

  it('training curves from a CSV log', () => {
    const rows = ['epoch,train_loss,train_seg_loss,train_surv_loss,val_loss,val_seg_loss,val_surv_loss,train_dice,val_dice,train_c_index,val_c_index,lr'];
    for (let e = 1; e <= 30; e++) {
      const d = 1 - Math.exp(-e / 6);
      rows.push([e, 1.2 - 0.8 * d, 0.9 - 0.6 * d, 2.0 - 0.5 * d, 1.3 - 0.7 * d, 0.95 - 0.5 * d, 2.1 - 0.4 * d, 0.82 * d, 0.74 * d, 0.5 + 0.3 * d, 0.5 + 0.22 * d, 1e-4].join(','));
    }
    const log = parseTrainingLog(rows.join('\n'));
    const png = renderTrainingCurves(log, { oracleCIndex: 0.78 });
    save('training_curves.png', png);
    const img = decodeOwnPng(png);
    expect(img.width).toBe(3 * (300 + 90) + 30);
    for (let k = 0; k < 3; k++) expect(regionSpread(img, 80 + k * 390, 60, 300, 240)).toBeGreaterThan(5);
    expect(() => parseTrainingLog('loss\n1\n')).toThrow(/no 'epoch' column/);
    // A log with only some columns (e.g. before validation exists) still draws; the rest is skipped.
    const partial = decodeOwnPng(renderTrainingCurves(parseTrainingLog('epoch,train_loss\n1,0.9\n2,0.7\n3,\n')));
    expect(regionSpread(partial, 80, 60, 300, 240)).toBeGreaterThan(5);
  });
});
