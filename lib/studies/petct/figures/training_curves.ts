/**
 * Training curves from the trainer's CSV log (training_log.csv): loss terms, Dice and C-index
 * per epoch, three panels side by side, the seed's targets as dashed lines.
 *
 * Columns (the contract the `train petct` trainer writes; missing columns are skipped):
 *   epoch, train_loss, train_seg_loss, train_surv_loss, val_loss, val_seg_loss, val_surv_loss,
 *   train_dice, val_dice, train_c_index, val_c_index, lr
 */
import { MedsynthError } from '../../../errors.js';
import { encodePng } from '../../../io/png.js';
import { RgbCanvas, type Rgb } from '../../../preview/canvas.js';
import { Axes, drawDashedLine, drawLegend, niceTicks } from '../../../preview/chart.js';

export const TRAINING_LOG_COLUMNS = [
  'epoch', 'train_loss', 'train_seg_loss', 'train_surv_loss', 'val_loss', 'val_seg_loss', 'val_surv_loss',
  'train_dice', 'val_dice', 'train_c_index', 'val_c_index', 'lr',
] as const;

/** Parses a numeric CSV log into columns (empty or non-numeric cells become NaN). */
export function parseTrainingLog(text: string): Record<string, Float64Array> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length < 1) throw new MedsynthError('INVALID_ARGUMENT', 'training log is empty');
  const header = lines[0].split(',').map((h) => h.trim());
  if (!header.includes('epoch')) throw new MedsynthError('INVALID_ARGUMENT', `training log has no 'epoch' column (columns: ${header.join(', ')})`);
  const rows = lines.slice(1).map((l) => l.split(','));
  const out: Record<string, Float64Array> = {};
  header.forEach((h, j) => {
    out[h] = Float64Array.from(rows, (r) => {
      const v = r[j]?.trim();
      return v === undefined || v === '' ? NaN : Number(v);
    });
  });
  return out;
}

interface Series {
  column: string;
  label: string;
  color: Rgb;
}

const TRAIN: Rgb = [90, 160, 255];
const VAL: Rgb = [255, 150, 60];
const PANELS: Array<{ title: string; yLabel: string; series: Series[]; target?: number; unit?: [number, number] }> = [
  {
    title: 'LOSS',
    yLabel: 'LOSS',
    series: [
      { column: 'train_loss', label: 'TRAIN TOTAL', color: TRAIN },
      { column: 'val_loss', label: 'VAL TOTAL', color: VAL },
      { column: 'train_seg_loss', label: 'TRAIN FOCAL TVERSKY', color: [120, 220, 140] },
      { column: 'val_seg_loss', label: 'VAL FOCAL TVERSKY', color: [40, 150, 70] },
      { column: 'train_surv_loss', label: 'TRAIN COX', color: [220, 120, 220] },
      { column: 'val_surv_loss', label: 'VAL COX', color: [150, 60, 150] },
    ],
  },
  { title: 'DICE', yLabel: 'DICE', series: [{ column: 'train_dice', label: 'TRAIN', color: TRAIN }, { column: 'val_dice', label: 'VALIDATION', color: VAL }], target: 0.7, unit: [0, 1] },
  { title: 'C-INDEX', yLabel: 'C-INDEX', series: [{ column: 'train_c_index', label: 'TRAIN', color: TRAIN }, { column: 'val_c_index', label: 'VALIDATION', color: VAL }], target: 0.7, unit: [0.4, 1] },
];

export interface TrainingCurveOptions {
  title?: string;
  /** C-index of the true linear predictor on the validation patients (a dashed line). */
  oracleCIndex?: number;
  /** C-index of its image-derived part (a second dashed line). */
  imageOracleCIndex?: number;
  /** Lines of notes under the panels (what the train and validation columns measure). */
  notes?: string[];
}

export function renderTrainingCurves(log: Record<string, Float64Array>, options: TrainingCurveOptions = {}): Buffer {
  const epoch = log.epoch;
  if (!epoch || epoch.length === 0) throw new MedsynthError('INVALID_ARGUMENT', 'training log has no epochs');
  const panelW = 300;
  const panelH = 240;
  const width = 3 * (panelW + 90) + 30;
  const notes = options.notes ?? [];
  const height = 60 + panelH + 60 + 6 * 12 + 20 + notes.length * 12;
  const c = new RgbCanvas(width, height, [20, 20, 24]);
  c.text(16, 10, options.title ?? 'TRAINING CURVES', [235, 235, 235], 2);
  const finite = (a: Float64Array) => Array.from(a).filter(Number.isFinite);
  const epochs = finite(epoch);
  const xRange: [number, number] = [Math.min(...epochs), Math.max(Math.max(...epochs), Math.min(...epochs) + 1)];
  PANELS.forEach((p, k) => {
    const present = p.series.filter((s) => log[s.column] && finite(log[s.column]).length > 0);
    const values = present.flatMap((s) => finite(log[s.column]));
    let yRange: [number, number];
    if (p.unit) yRange = [Math.min(p.unit[0], ...values), Math.max(p.unit[1], ...values)];
    else if (values.length) {
      const lo = Math.min(0, ...values);
      const hi = Math.max(...values);
      yRange = [lo, hi > lo ? hi * 1.05 : lo + 1];
    } else yRange = [0, 1];
    const axes = new Axes(c, 80 + k * (panelW + 90), 60, panelW, panelH, {
      xRange,
      yRange,
      xTicks: niceTicks(xRange[0], xRange[1], 6).filter(Number.isInteger),
      xLabel: 'EPOCH',
      yLabel: p.yLabel,
      title: p.title,
      format: (v) => String(Number(v.toPrecision(3))),
    });
    axes.draw();
    if (p.target !== undefined) {
      drawDashedLine(c, axes.px(xRange[0]), axes.py(p.target), axes.px(xRange[1]), axes.py(p.target), [200, 200, 200]);
      c.text(axes.left + 4, Math.round(axes.py(p.target)) - 10, `TARGET ${p.target}`, [200, 200, 200]);
    }
    const legend = present.map((s) => ({ label: s.label, color: s.color }));
    if (p.title === 'C-INDEX') {
      const oracles: Array<[number | undefined, string, Rgb]> = [
        [options.oracleCIndex, 'ORACLE', [120, 230, 120]],
        [options.imageOracleCIndex, 'IMAGE-ONLY ORACLE', [230, 200, 90]],
      ];
      for (const [y, label, color] of oracles) {
        if (y === undefined || !Number.isFinite(y)) continue;
        drawDashedLine(c, axes.px(xRange[0]), axes.py(y), axes.px(xRange[1]), axes.py(y), color, 3, 3);
        legend.push({ label: `${label} ${y.toFixed(3)} (VALIDATION)`, color });
      }
    }
    for (const s of present) {
      axes.polyline(epoch, log[s.column], s.color, 2);
      axes.markers(epoch, log[s.column], s.color, 4);
    }
    if (present.length === 0) c.text(axes.left + 10, axes.top + 10, 'NO DATA IN THE LOG', [200, 80, 80]);
    drawLegend(c, axes.left, axes.top + panelH + 36, legend);
  });
  notes.forEach((line, k) => c.text(16, height - 14 - (notes.length - 1 - k) * 12, line, [170, 170, 180]));
  return encodePng(c.pixels, width, height, 3);
}
