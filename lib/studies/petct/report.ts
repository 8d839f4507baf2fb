/** metrics.json and the markdown report of an evaluation (see ./evaluate.ts for the definitions). */
import path from 'node:path';

import { writeFileAtomicSync } from '../../io/atomic.js';
import { NEIGHBOURHOOD_RADIUS, type StudyMetrics } from './evaluate.js';

/** JSON with NaN and ±Infinity as null (JSON has no such numbers). */
export function metricsJson(metrics: StudyMetrics, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...extra, ...metrics }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

export interface ReportContext {
  /** e.g. the model file and the data directory. */
  model?: string;
  dataDir?: string;
  /** Figure files to link, relative to the report. */
  figures?: Array<{ title: string; file: string }>;
  /** At most this many per-patient rows (default 50). */
  maxPatientRows?: number;
}

/** The markdown report: targets table, then details and per-patient rows. */
export function markdownReport(m: StudyMetrics, ctx: ReportContext = {}): string {
  const lines: string[] = ['# PET/CT multi-task U-Net — evaluation', ''];
  if (ctx.model) lines.push(`- Model: \`${ctx.model}\``);
  if (ctx.dataDir) lines.push(`- Data: \`${ctx.dataDir}\``);
  lines.push(
    `- Held-out patients: ${m.patients} (${m.events} events), slices: ${m.slices}`,
    `- MC-dropout passes: ${m.mcPasses}; tumour where the mean probability >= ${m.threshold}`,
    '',
    '## Against the seed\'s targets',
    '',
    '| Metric | Value | Target | Met | Oracle | Image-only oracle |',
    '|---|---:|---:|:---:|---:|---:|',
    ...m.targets.map(
      (t) =>
        `| ${t.metric} | ${fmt(t.value)} | ${t.direction} ${t.target} | ${Number.isNaN(t.value) ? 'n/a' : t.met ? 'yes' : 'no'} | ${t.oracle === undefined ? '' : fmt(t.oracle)} | ${t.imageOracle === undefined ? '' : fmt(t.imageOracle)} |`,
    ),
    '',
    'The oracle C-index is that of the true linear predictor β·x of the generating Cox model on the same',
    'patients: the best any risk score can be expected to reach on them, given censoring and the',
    'randomness of event times. The image-only oracle is that of its image-derived part (total tumour',
    'volume over all lesions, SUVmax, lesion count): the ceiling of a model that sees only the images,',
    'since age, sex and stage are not in them.',
    '',
    '## Segmentation',
    '',
    '| | Dice | IoU | Accuracy | Sensitivity | Specificity |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const [name, s] of [['Pooled over pixels', m.segmentation.pooled], ['Mean over patients', m.segmentation.meanOverPatients]] as const) {
    lines.push(`| ${name} | ${fmt(s.dice)} | ${fmt(s.iou)} | ${fmt(s.accuracy, 4)} | ${fmt(s.sensitivity)} | ${fmt(s.specificity, 4)} |`);
  }
  const u = m.uncertainty;
  lines.push(
    '',
    '## Survival and uncertainty',
    '',
    `- C-index ${fmt(m.survival.cIndex)} over ${m.survival.comparablePairs} comparable pairs; oracle ${fmt(m.survival.oracleCIndex)}, image-only oracle ${fmt(m.survival.imageOracleCIndex)}, clinical-only oracle ${fmt(m.survival.clinicalOracleCIndex)}, slice-area oracle ${fmt(m.survival.sliceAreaCIndex)} (mean log true tumour area of the evaluated tumour slices)`,
    '- Patient risk: the mean of the risks of the patient\'s tumour slices (all its slices when none holds tumour), over the MC passes',
    `- Mean predictive entropy ${fmt(u.meanEntropyBits, 4)} bits per pixel; mean MC variance ${fmt(u.meanVariance, 5)}; mean 95% risk interval width ${fmt(u.meanRiskIntervalWidth)}`,
    `- ECE (top-label) ${fmt(m.calibration.ece, 4)}, MCE ${fmt(m.calibration.mce, 3)}; positive-class ECE ${fmt(m.calibration.positiveClassEce, 4)}`,
    `- Uncertainty–error correlation, pixels (entropy vs |p − y|, n = ${u.pixelCorrelation.n}): Pearson ${fmt(u.pixelCorrelation.pearson)}, Spearman ${fmt(u.pixelCorrelation.spearman)}`,
    u.pixelVarianceCorrelation
      ? `- MC variance vs |p − y| over pixels: Pearson ${fmt(u.pixelVarianceCorrelation.pearson)}, Spearman ${fmt(u.pixelVarianceCorrelation.spearman)}`
      : '- MC variance: not given',
    u.sliceCorrelation
      ? `- per slice (mean entropy vs 1 − Dice, n = ${u.sliceCorrelation.n}): Pearson ${fmt(u.sliceCorrelation.pearson)}, Spearman ${fmt(u.sliceCorrelation.spearman)}`
      : '- per slice: fewer than 3 slices with tumour in truth or prediction',
    u.neighbourhoodCorrelation
      ? `- tumour neighbourhood only (pixels within ${NEIGHBOURHOOD_RADIUS} px of a true or predicted tumour pixel, n = ${u.neighbourhoodCorrelation.n}): entropy vs |p − y| Pearson ${fmt(u.neighbourhoodCorrelation.pearson)}, Spearman ${fmt(u.neighbourhoodCorrelation.spearman)}`
      : '- tumour neighbourhood: fewer than 3 pixels',
    u.patientCorrelation
      ? `- per patient (mean entropy over the tumour neighbourhood vs 1 − Dice, n = ${u.patientCorrelation.n}): Pearson ${fmt(u.patientCorrelation.pearson)}, Spearman ${fmt(u.patientCorrelation.spearman)}`
      : '- per patient: fewer than 3 patients with a tumour neighbourhood',
    '',
  );
  if (ctx.figures?.length) {
    lines.push('## Figures', '');
    for (const f of ctx.figures) lines.push(`![${f.title}](${f.file})`, '');
  }
  const rows = m.segmentation.perPatient.slice(0, ctx.maxPatientRows ?? 50);
  lines.push('## Per patient', '', '| Patient | Slices | Dice | IoU | Sensitivity | Specificity |', '|---|---:|---:|---:|---:|---:|');
  for (const p of rows) lines.push(`| ${p.id} | ${p.slices} | ${fmt(p.dice)} | ${fmt(p.iou)} | ${fmt(p.sensitivity)} | ${fmt(p.specificity, 4)} |`);
  if (rows.length < m.segmentation.perPatient.length) lines.push('', `(${m.segmentation.perPatient.length - rows.length} more in metrics.json)`);
  return lines.join('\n') + '\n';
}

/** Writes metrics.json and report.md into `dir` (each atomically); returns their paths. */
export function writeEvaluationReport(dir: string, metrics: StudyMetrics, ctx: ReportContext = {}, extra: Record<string, unknown> = {}): string[] {
  const files = [path.join(dir, 'metrics.json'), path.join(dir, 'report.md')];
  writeFileAtomicSync(files[0], metricsJson(metrics, extra));
  writeFileAtomicSync(files[1], markdownReport(metrics, ctx));
  return files;
}
