/**
 * The seed's 6-panel demo figure for one patient's slice: CT | PET | ground truth on the top
 * row, prediction | uncertainty | risk on the bottom row. Radiological display (patient's right
 * on the image's left, anterior at the top), every image panel with its labelled colour bar:
 * - CT: soft-tissue window W400/L40, HU bar;
 * - PET: hot map, SUV 0–10 bar;
 * - ground truth: CT with the tumour filled red and outlined;
 * - prediction: the MC-mean tumour probability over the CT (transparent below 0.05), the
 *   predicted outline (p >= 0.5) in cyan and the true outline in red, probability bar;
 * - uncertainty: predictive entropy (bits, viridis 0–1), both outlines in white;
 * - risk: the patient's mean risk and 95% MC interval against the held-out cohort's risks,
 *   with the observed outcome.
 */
import { encodePng } from '../../../io/png.js';
import { RgbCanvas, type Rgb } from '../../../preview/canvas.js';
import { Axes, drawLine } from '../../../preview/chart.js';
import { GRAY, HOT, VIRIDIS, colorAt, drawColorBar } from '../../../preview/colormap.js';
import { invalidParameter } from '../../../errors.js';
import { checkArray } from '../../../validate.js';

export interface DemoFigureInput {
  patientId: string;
  /** Slice description, e.g. 'AXIAL Z=41'. */
  sliceLabel?: string;
  /** [H, W] of every map. */
  size: readonly [number, number];
  /** CT in HU and PET in SUV at [H, W] (display units, not normalised). */
  ctHu: Float32Array;
  petSuv: Float32Array;
  truth: Float32Array | Uint8Array;
  probability: Float32Array;
  /** Predictive entropy, bits. */
  entropy: Float32Array;
  risk: { mean: number; lower: number; upper: number };
  /** The held-out cohort's mean risks (context for the risk panel). */
  cohortRisks?: readonly number[];
  outcome: { timeMonths: number; event: 0 | 1 };
  /** Dice of this slice, shown in the prediction panel's title. */
  dice?: number;
  mcPasses?: number;
}

const PANEL = 256;
const BAR_W = 12;
const COL_W = PANEL + 70;
const MARGIN = 16;
const HEADER = 18;
const TITLE_H = 44;
const ROW_H = HEADER + PANEL + 18;
const TEXT: Rgb = [235, 235, 235];
const TRUE_EDGE: Rgb = [255, 50, 50];
const PRED_EDGE: Rgb = [0, 230, 255];
const CT_WINDOW = { level: 40, width: 400 };

/** The image panels' rectangles [x, y, w, h] in the figure, row by row (the risk panel last). */
export function demoPanelRects(): Array<[number, number, number, number]> {
  const rects: Array<[number, number, number, number]> = [];
  for (let row = 0; row < 2; row++) {
    for (let col = 0; col < 3; col++) rects.push([MARGIN + col * COL_W, TITLE_H + row * ROW_H + HEADER, PANEL, PANEL]);
  }
  return rects;
}

/** Display pixel (px, py) of a panel → source index (nearest). */
function sampler(size: readonly [number, number]) {
  const [H, W] = size;
  return (px: number, py: number) => Math.min(H - 1, Math.floor(((py + 0.5) * H) / PANEL)) * W + Math.min(W - 1, Math.floor(((px + 0.5) * W) / PANEL));
}

/** Outline of a mask at display resolution: pixels inside with a 4-neighbour outside. */
function outline(mask: ArrayLike<number>, at: (px: number, py: number) => number, threshold: number): Uint8Array {
  const inside = new Uint8Array(PANEL * PANEL);
  for (let py = 0; py < PANEL; py++) for (let px = 0; px < PANEL; px++) inside[py * PANEL + px] = mask[at(px, py)] >= threshold ? 1 : 0;
  const edge = new Uint8Array(PANEL * PANEL);
  for (let py = 0; py < PANEL; py++) {
    for (let px = 0; px < PANEL; px++) {
      if (!inside[py * PANEL + px]) continue;
      const out = (x: number, y: number) => x < 0 || y < 0 || x >= PANEL || y >= PANEL || !inside[y * PANEL + x];
      if (out(px - 1, py) || out(px + 1, py) || out(px, py - 1) || out(px, py + 1)) edge[py * PANEL + px] = 1;
    }
  }
  return edge;
}

function ctGray(hu: number): number {
  return Math.round(255 * Math.min(Math.max((hu - (CT_WINDOW.level - CT_WINDOW.width / 2)) / CT_WINDOW.width, 0), 1));
}

export function renderDemoFigure(input: DemoFigureInput): Buffer {
  const [H, W] = input.size;
  for (const [name, a] of [['ctHu', input.ctHu], ['petSuv', input.petSuv], ['probability', input.probability], ['entropy', input.entropy]] as const) {
    checkArray(name, a, Float32Array, H * W);
  }
  if (!(input.truth instanceof Float32Array || input.truth instanceof Uint8Array) || input.truth.length !== H * W) {
    throw invalidParameter('truth', `a Float32Array or Uint8Array of ${H * W} values`, input.truth);
  }
  const at = sampler(input.size);
  const width = MARGIN + 3 * COL_W;
  const height = TITLE_H + 2 * ROW_H + MARGIN;
  const c = new RgbCanvas(width, height, [16, 16, 20]);
  const o = input.outcome;
  c.text(MARGIN, 8, `${input.patientId}  ${input.sliceLabel ?? ''}`.trim(), TEXT, 2);
  c.text(
    MARGIN,
    28,
    `MULTI-TASK U-NET${input.mcPasses ? `, ${input.mcPasses} MC-DROPOUT PASSES` : ''}   OUTCOME: ${o.event ? 'EVENT' : 'CENSORED'} AT ${o.timeMonths.toFixed(1)} MONTHS`,
    [190, 190, 190],
  );
  const trueEdge = outline(input.truth, at, 0.5);
  const predEdge = outline(input.probability, at, 0.5);

  const origin = (col: number, row: number) => [MARGIN + col * COL_W, TITLE_H + row * ROW_H] as const;
  const panel = (col: number, row: number, title: string, pixel: (i: number, k: number) => Rgb) => {
    const [x0, y0] = origin(col, row);
    c.text(x0, y0 + 4, title, [255, 230, 90]);
    for (let py = 0; py < PANEL; py++) {
      for (let px = 0; px < PANEL; px++) c.set(x0 + px, y0 + HEADER + py, pixel(at(px, py), py * PANEL + px));
    }
    return [x0, y0 + HEADER] as const;
  };
  const bar = (col: number, row: number, map: Uint8Array, lo: number, hi: number, label: string, ticks: number[], format?: (v: number) => string) => {
    const [x0, y0] = origin(col, row);
    drawColorBar(c, x0 + PANEL + 8, y0 + HEADER + 14, BAR_W, PANEL - 28, map, lo, hi, { label, ticks, format });
  };
  const gray = (hu: number): Rgb => [ctGray(hu), ctGray(hu), ctGray(hu)];
  const blend = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((k) => Math.round((1 - t) * a[k] + t * b[k])) as unknown as Rgb;

  const [ctX, ctY] = panel(0, 0, 'CT (W400 L40)', (i) => gray(input.ctHu[i]));
  c.text(ctX + 4, ctY + PANEL - 12, 'R', TEXT);
  c.text(ctX + PANEL - 10, ctY + PANEL - 12, 'L', TEXT);
  bar(0, 0, GRAY, CT_WINDOW.level - CT_WINDOW.width / 2, CT_WINDOW.level + CT_WINDOW.width / 2, 'HU', [-160, 40, 240]);

  panel(1, 0, 'PET', (i) => colorAt(HOT, input.petSuv[i], 0, 10));
  bar(1, 0, HOT, 0, 10, 'SUV', [0, 2.5, 5, 7.5, 10]);

  panel(2, 0, 'GROUND TRUTH', (i, k) => (trueEdge[k] ? TRUE_EDGE : input.truth[i] >= 0.5 ? blend(gray(input.ctHu[i]), [255, 40, 40], 0.55) : gray(input.ctHu[i])));
  const [gx, gy] = origin(2, 0);
  c.rect(gx + PANEL + 8, gy + HEADER + 14, 10, 10, [255, 40, 40]);
  c.text(gx + PANEL + 22, gy + HEADER + 16, 'TUMOUR', TEXT);

  const diceText = input.dice === undefined ? '' : `  DICE ${input.dice.toFixed(2)}`;
  panel(0, 1, `PREDICTION${diceText}`, (i, k) => {
    if (predEdge[k]) return PRED_EDGE;
    if (trueEdge[k]) return TRUE_EDGE;
    const p = input.probability[i];
    const g = gray(input.ctHu[i]);
    return p < 0.05 ? g : blend(g, colorAt(HOT, p, 0, 1), Math.min(1, 0.35 + p));
  });
  bar(0, 1, HOT, 0, 1, 'P(TUMOUR)', [0, 0.5, 1]);
  // Outline legend inside the panel's bottom edge (air, black, behind it).
  const [px0, py0] = origin(0, 1);
  c.rect(px0 + 4, py0 + HEADER + PANEL - 8, 12, 3, PRED_EDGE);
  c.text(px0 + 20, py0 + HEADER + PANEL - 10, 'PREDICTED P>=0.5', TEXT);
  c.rect(px0 + 130, py0 + HEADER + PANEL - 8, 12, 3, TRUE_EDGE);
  c.text(px0 + 146, py0 + HEADER + PANEL - 10, 'TRUE', TEXT);

  panel(1, 1, 'UNCERTAINTY (ENTROPY)', (i, k) => (trueEdge[k] || predEdge[k] ? [255, 255, 255] : colorAt(VIRIDIS, input.entropy[i], 0, 1)));
  bar(1, 1, VIRIDIS, 0, 1, 'BITS', [0, 0.5, 1]);

  drawRiskPanel(c, ...origin(2, 1), input);
  return encodePng(c.pixels, width, height, 3);
}

/** Risk of this patient (dot + 95% interval) over the cohort's sorted risks. */
function drawRiskPanel(c: RgbCanvas, x0: number, y0: number, input: DemoFigureInput): void {
  const r = input.risk;
  c.text(x0, y0 + 4, 'PATIENT RISK: MEAN OF TUMOUR SLICES (95% MC)', [255, 230, 90]);
  const cohort = [...(input.cohortRisks ?? [])].sort((a, b) => a - b);
  const all = [...cohort, r.lower, r.upper, r.mean].filter(Number.isFinite);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  const pad = 0.08 * (hi - lo || 1);
  lo -= pad;
  hi += pad;
  const n = Math.max(1, cohort.length);
  const axes = new Axes(c, x0 + 50, y0 + HEADER + 24, PANEL + 10, PANEL - 92, {
    xRange: [lo, hi],
    yRange: [0, n + 1],
    yTicks: cohort.length ? [1, Math.round((n + 1) / 2), n] : [],
    xLabel: 'RISK (LOG HAZARD SCALE)',
    yLabel: 'RANK',
    format: (v) => String(Number(v.toPrecision(2))),
  });
  axes.draw();
  cohort.forEach((v, k) => c.rect(Math.round(axes.px(v)) - 1, Math.round(axes.py(k + 1)) - 1, 3, 3, [120, 120, 140]));
  // This patient: where its mean falls in the cohort ranking.
  const rank = cohort.filter((v) => v < r.mean).length + 0.5;
  const y = Math.round(axes.py(rank));
  drawLine(c, axes.px(r.lower), y, axes.px(r.upper), y, [255, 170, 40], 3);
  drawLine(c, axes.px(r.lower), y - 5, axes.px(r.lower), y + 5, [255, 170, 40], 2);
  drawLine(c, axes.px(r.upper), y - 5, axes.px(r.upper), y + 5, [255, 170, 40], 2);
  c.rect(Math.round(axes.px(r.mean)) - 3, y - 3, 7, 7, [255, 255, 255]);
  const pct = cohort.length ? Math.round((100 * cohort.filter((v) => v < r.mean).length) / cohort.length) : NaN;
  const textY = y0 + HEADER + PANEL - 30;
  // Enough decimals to tell the interval's ends and the cohort's spread apart.
  const spread = Math.min(...[r.upper - r.lower, hi - lo].filter((v) => v > 0), 1);
  const digits = Math.min(6, Math.max(2, Math.ceil(-Math.log10(spread)) + 1));
  c.text(x0, textY, `RISK ${r.mean.toFixed(digits)}  95% [${r.lower.toFixed(digits)}, ${r.upper.toFixed(digits)}]`, TEXT);
  c.text(x0, textY + 12, cohort.length ? `HIGHER THAN ${pct}% OF ${cohort.length} HELD-OUT PATIENTS` : '', [190, 190, 190]);
  c.text(x0, textY + 24, 'GREY: HELD-OUT PATIENTS, SORTED', [150, 150, 160]);
}
