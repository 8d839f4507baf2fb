/**
 * The reliability diagram of the tumour probabilities: per equal-width bin of predicted
 * probability, the observed tumour frequency (bars; a marker where it stands at the bin's mean
 * prediction), the gap to that prediction in one colour per direction, the diagonal of perfect
 * calibration, and underneath the number of pixels per bin on a log
 * scale (most pixels are confidently background). ECE in the title.
 */
import { encodePng } from '../../../io/png.js';
import { RgbCanvas, type Rgb } from '../../../preview/canvas.js';
import { Axes, drawDashedLine, drawLegend } from '../../../preview/chart.js';

export interface ReliabilityBins {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  count: ArrayLike<number>;
  meanConfidence: ArrayLike<number>;
  accuracy: ArrayLike<number>;
}

export interface ReliabilityFigureInput {
  /** Positive-class bins: confidence = predicted tumour probability, accuracy = tumour frequency. */
  bins: ReliabilityBins;
  /** The ECE shown in the title (the headline, top-label) and the positive-class ECE. */
  ece: number;
  positiveClassEce?: number;
  /** First title line, e.g. 'RELIABILITY OF TUMOUR PROBABILITY, 34 PATIENTS'. */
  title?: string;
}

const BAR: Rgb = [70, 130, 220];
/** Gap where the bin's mean prediction is above the observed frequency (drawn above the bar). */
const OVER: Rgb = [200, 70, 70];
/** Gap where the observed frequency is above the mean prediction (the top of the bar). */
const UNDER: Rgb = [190, 120, 200];
const MARK: Rgb = [255, 210, 60];
const TEXT: Rgb = [235, 235, 235];

export function renderReliabilityDiagram(input: ReliabilityFigureInput): Buffer {
  const b = input.bins;
  const B = b.count.length;
  const width = 640;
  const height = 660;
  const c = new RgbCanvas(width, height, [20, 20, 24]);
  const total = Array.from(b.count).reduce((a, v) => a + v, 0);
  const title = input.title ?? 'RELIABILITY: TUMOUR PROBABILITY PER PIXEL';
  // Scale 2 when the title fits the width, else scale 1 (a long custom title is never cut off).
  c.text(16, 10, title, TEXT, title.length * 12 <= width - 32 ? 2 : 1);
  const eceLine =
    `ECE ${input.ece.toFixed(4)} (TOP-LABEL, ${B} BINS)` +
    (input.positiveClassEce !== undefined ? `   POSITIVE-CLASS ECE ${input.positiveClassEce.toFixed(4)}` : '') +
    `   N = ${total.toLocaleString('en-US')} PIXELS`;
  c.text(16, 32, eceLine, [200, 200, 200]);

  const main = new Axes(c, 80, 110, 480, 360, {
    xRange: [0, 1],
    yRange: [0, 1],
    xTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
    yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
    yLabel: 'OBSERVED TUMOUR FREQUENCY',
    format: (v) => v.toFixed(1),
  });
  main.draw();
  for (let k = 0; k < B; k++) {
    if (!(b.count[k] > 0)) continue;
    const x0 = Math.round(main.px(b.lower[k])) + 1;
    const x1 = Math.round(main.px(b.upper[k])) - 1;
    const yAcc = Math.round(main.py(b.accuracy[k]));
    const yConf = Math.round(main.py(b.meanConfidence[k]));
    const yZero = Math.round(main.py(0));
    c.rect(x0, yAcc, x1 - x0 + 1, yZero - yAcc + 1, BAR);
    // The gap between what was predicted and what was observed, coloured by its direction.
    if (yConf < yAcc) c.rect(x0, yConf, x1 - x0 + 1, yAcc - yConf + 1, OVER);
    else if (yAcc < yConf) c.rect(x0, yAcc, x1 - x0 + 1, yConf - yAcc + 1, UNDER);
  }
  drawDashedLine(c, main.px(0), main.py(0), main.px(1), main.py(1), [200, 200, 200]);
  main.markers(b.meanConfidence, b.accuracy, MARK, 6);
  drawLegend(c, 80, 56, [
    { label: 'OBSERVED TUMOUR FREQUENCY', color: BAR },
    { label: 'GAP: PREDICTED ABOVE OBSERVED', color: OVER },
    { label: 'GAP: OBSERVED ABOVE PREDICTED', color: UNDER },
  ]);
  drawLegend(c, 340, 56, [
    { label: 'OBSERVED AT BIN MEAN PREDICTION', color: MARK },
    { label: 'PERFECT CALIBRATION', color: [200, 200, 200] },
  ]);

  // Pixel counts per bin, log10.
  const maxLog = Math.max(1, Math.ceil(Math.log10(Math.max(1, ...Array.from(b.count)))));
  const hist = new Axes(c, 80, 510, 480, 100, {
    xRange: [0, 1],
    yRange: [0, maxLog],
    xTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
    yTicks: Array.from({ length: maxLog + 1 }, (_, k) => k).filter((k) => k % Math.ceil(maxLog / 4) === 0 || k === maxLog),
    xLabel: 'PREDICTED TUMOUR PROBABILITY',
    yLabel: 'LOG10 PIXELS',
    format: (v) => String(Number(v.toFixed(1))),
  });
  hist.draw();
  for (let k = 0; k < B; k++) {
    if (!(b.count[k] > 0)) continue;
    const x0 = Math.round(hist.px(b.lower[k])) + 1;
    const x1 = Math.round(hist.px(b.upper[k])) - 1;
    const y = Math.round(hist.py(Math.log10(b.count[k])));
    c.rect(x0, y, x1 - x0 + 1, Math.round(hist.py(0)) - y + 1, [150, 150, 160]);
  }
  return encodePng(c.pixels, width, height, 3);
}
