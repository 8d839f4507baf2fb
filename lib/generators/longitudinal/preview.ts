/**
 * The two figures of a longitudinal dataset:
 *  - latent traversal: one row per chosen latent dimension, seven columns z_k = −3 … +3 (the
 *    centre column, boxed, is z = 0), every other dimension 0 and the same subject's nuisance, so
 *    a row differs only by what that dimension drives (the figure the VAE will make from its
 *    learned latent, behind the same LatentImageDecoder);
 *  - preview: subjects at rising quantiles of θ1, each baseline image beside its follow-up
 *    (dots: observed values, line: the subject's f(t; θ_i), dashed: the population f(t; μ)).
 * Tiles of one figure share one intensity window, so brightness compares across tiles.
 */
import { encodePng } from '../../io/png.js';
import { RgbCanvas, type Rgb } from '../../preview/canvas.js';
import { Axes, drawDashedLine, drawLine } from '../../preview/chart.js';
import { invalidParameter } from '../../errors.js';
import type { LatentImageDecoder } from './decoder.js';
import { LATENT_FACTORS } from './latent_map.js';
import type { NlmeModel, NlmeSubject } from './nlme.js';

const BG: Rgb = [16, 16, 20];
const TEXT: Rgb = [230, 230, 230];
const DIM: Rgb = [150, 150, 150];
const MARK: Rgb = [255, 200, 40];
const CURVE: Rgb = [90, 200, 255];
const POP: Rgb = [200, 120, 255];
const DROP: Rgb = [255, 90, 90];

/** Area-average (down) or nearest (up) resample of an [h, w] image to [th, tw]. */
export function resampleImage(image: ArrayLike<number>, h: number, w: number, th: number, tw: number): Float32Array {
  const out = new Float32Array(th * tw);
  for (let y = 0; y < th; y++) {
    const y0 = Math.floor((y * h) / th);
    const y1 = Math.max(y0 + 1, Math.ceil(((y + 1) * h) / th));
    for (let x = 0; x < tw; x++) {
      const x0 = Math.floor((x * w) / tw);
      const x1 = Math.max(x0 + 1, Math.ceil(((x + 1) * w) / tw));
      let s = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += image[yy * w + xx];
      out[y * tw + x] = s / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/** 0.5 % and 99.5 % quantiles of all tiles together. */
function window(tiles: readonly Float32Array[]): [number, number] {
  const all = new Float32Array(tiles.reduce((a, t) => a + t.length, 0));
  let o = 0;
  for (const t of tiles) {
    all.set(t, o);
    o += t.length;
  }
  all.sort();
  const q = (p: number) => all[Math.min(all.length - 1, Math.round(p * (all.length - 1)))];
  return all.length ? [q(0.005), q(0.995)] : [0, 1];
}

function blit(c: RgbCanvas, tile: Float32Array, th: number, tw: number, left: number, top: number, [lo, hi]: [number, number]): void {
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const g = Math.round(255 * Math.min(1, Math.max(0, (tile[y * tw + x] - lo) / (hi - lo || 1))));
      c.set(left + x, top + y, [g, g, g]);
    }
  }
}

/** Tile size for an [H, W] image: about `width` px wide, aspect kept. */
function tileSize(H: number, W: number, width: number): [number, number] {
  return [Math.max(8, Math.round((H * width) / W)), width];
}

export interface TraversalOptions {
  /** Latent dimensions, one row each (default 0, 1, 2, 3). */
  dims?: readonly number[];
  /** Values of the traversed dimension (default −3 … 3; the middle one should be 0). */
  values?: readonly number[];
  /** Whose nuisance the tiles share (default subject 0). */
  subject?: number;
  tileWidth?: number;
}

export async function latentTraversalPng(decoder: LatentImageDecoder, options: TraversalOptions = {}): Promise<Buffer> {
  const D = decoder.latentDim;
  const dims = options.dims ?? [0, 1, 2, 3];
  dims.forEach((d, k) => {
    if (!Number.isInteger(d) || d < 0 || d >= D) throw invalidParameter(`dims[${k}]`, `a latent dimension in [0, ${D})`, d);
  });
  const values = options.values ?? [-3, -2, -1, 0, 1, 2, 3];
  const subject = options.subject ?? 0;
  const z = new Float64Array(dims.length * values.length * D);
  dims.forEach((d, r) => values.forEach((v, c) => (z[(r * values.length + c) * D + d] = v)));
  const { images } = await decoder.decode(z, new Array<number>(dims.length * values.length).fill(subject));
  const { height: H, width: W } = decoder;
  const [th, tw] = tileSize(H, W, options.tileWidth ?? Math.min(192, Math.max(128, W)));
  const tiles = Array.from({ length: dims.length * values.length }, (_, k) => resampleImage(images.subarray(k * H * W, (k + 1) * H * W), H, W, th, tw));
  const win = window(tiles);

  const gap = 6, label = 118, header = 40, footer = 30;
  const c = new RgbCanvas(label + values.length * (tw + gap) + gap, header + dims.length * (th + gap) + footer, BG);
  c.text(gap, 6, `latent traversal (${decoder.kind} decoder, ${H}x${W}): each row moves one latent dimension, the others stay 0`, TEXT);
  values.forEach((v, k) => {
    const s = `z = ${v > 0 ? '+' : ''}${v}`;
    c.text(label + gap + k * (tw + gap) + (tw - RgbCanvas.textWidth(s)) / 2, 24, s, v === 0 ? MARK : DIM);
  });
  dims.forEach((d, r) => {
    const top = header + r * (th + gap);
    const f = LATENT_FACTORS[d];
    c.text(gap, top + th / 2 - 10, `z${d}`, TEXT, 2);
    c.text(gap, top + th / 2 + 8, decoder.kind === 'parametric-oct' && f ? f.name.replace('_', ' ') : `dim ${d}`, DIM);
    values.forEach((v, k) => {
      const left = label + gap + k * (tw + gap);
      blit(c, tiles[r * values.length + k], th, tw, left, top, win);
      if (v === 0) {
        drawLine(c, left - 2, top - 2, left + tw + 1, top - 2, MARK);
        drawLine(c, left - 2, top + th + 1, left + tw + 1, top + th + 1, MARK);
        drawLine(c, left - 2, top - 2, left - 2, top + th + 1, MARK);
        drawLine(c, left + tw + 1, top - 2, left + tw + 1, top + th + 1, MARK);
      }
    });
  });
  c.text(gap, c.height - 22, `boxed: z = 0 (the same image in every row). the nuisance of subject ${subject} in every tile. one window (${win[0].toFixed(2)}, ${win[1].toFixed(2)})`, DIM);
  c.text(gap, c.height - 11, 'factors: see metadata.json image_decoder.latent_factors', DIM);
  return encodePng(c.pixels, c.width, c.height, 3);
}

/** Subjects among the first `scan` whose θ1 is at the given quantiles (distinct subjects). */
export function pickPreviewSubjects(model: NlmeModel, n: number, quantiles: readonly number[], scan = 500): NlmeSubject[] {
  const pool = Array.from({ length: Math.min(n, scan) }, (_, i) => model.subject(i)).sort((a, b) => a.theta[0] - b.theta[0] || a.subject - b.subject);
  const picked: NlmeSubject[] = [];
  for (const q of quantiles) {
    const s = pool[Math.min(pool.length - 1, Math.round(q * (pool.length - 1)))];
    if (s && !picked.includes(s)) picked.push(s);
  }
  return picked;
}

const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

export async function longitudinalPreviewPng(model: NlmeModel, decoder: LatentImageDecoder, n: number): Promise<Buffer> {
  const subjects = pickPreviewSubjects(model, n, [0.03, 0.2, 0.4, 0.6, 0.8, 0.97]);
  const D = decoder.latentDim;
  const z = new Float64Array(subjects.length * D);
  subjects.forEach((s, k) => z.set(s.z.subarray(0, D), k * D));
  const { images } = await decoder.decode(z, subjects.map((s) => s.subject));
  const { height: H, width: W } = decoder;
  const [th, tw] = tileSize(H, W, 200);
  const rowH = Math.max(th, 96) + 30;
  const tiles = subjects.map((_, k) => resampleImage(images.subarray(k * H * W, (k + 1) * H * W), H, W, th, tw));
  const win = window(tiles);
  const cfg = model.config;
  const m = cfg.model;
  const tMax = Math.max(cfg.times[cfg.times.length - 1] + cfg.jitter, 1e-9);
  let lo = Infinity, hi = -Infinity;
  for (const s of subjects) {
    for (let j = 0; j < s.observed; j++) {
      lo = Math.min(lo, s.values[j]);
      hi = Math.max(hi, s.values[j]);
    }
    for (let i = 0; i <= 50; i++) {
      const v = m.f((tMax * i) / 50, s.theta);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const pad = 0.05 * (hi - lo || 1);
  lo = Math.floor(lo - pad);
  hi = Math.ceil(hi + pad);

  const gap = 8, header = 60, plotW = 300, plotLeft = gap + tw + 50, caption = plotLeft + plotW + 14;
  const c = new RgbCanvas(caption + 250, header + subjects.length * rowH + 24, BG);
  const eq = m.name === 'exponential' ? 'y = th1 exp(-exp(th2) t) + e' : 'y = th1 / (1 + exp(-exp(th2)(t - th3))) + e';
  c.text(gap, 6, 'medsynth longitudinal: baseline image (left) and follow-up (right) of each subject, both from one latent z', TEXT);
  c.text(gap, 20, `${m.name} model ${eq}. R2 of theta on z = ${cfg.explainedVariance}, residual sd ${cfg.residualSd}, dropout ${cfg.dropout}${cfg.dropout === 'none' ? '' : ` p=${cfg.dropoutRate}`}`, DIM);
  c.text(gap, 32, `subjects at rising quantiles of th1 (${m.meaning[0]}). dots: observed visits. line: subject curve f(t, theta i).`, DIM);
  c.text(gap, 44, 'dashed: population curve f(t, mu). red: dropped out before that visit', DIM);
  subjects.forEach((s, k) => {
    const top = header + k * rowH;
    blit(c, tiles[k], th, tw, gap, top, win);
    const axes = new Axes(c, plotLeft, top, plotW, rowH - 30, {
      xRange: [0, tMax],
      yRange: [lo, hi],
      xTicks: [0, tMax],
      yTicks: [lo, hi],
      xLabel: 'years',
      yLabel: 'value',
      format: (v) => (v === tMax ? v.toFixed(1) : String(v)),
      color: DIM,
      grid: null,
    });
    axes.draw();
    axes.curve((t) => m.f(t, m.mean), POP, 1, 4);
    axes.curve((t) => m.f(t, s.theta), CURVE);
    axes.markers(
      s.times.subarray(0, s.observed),
      s.values.subarray(0, s.observed).map((v) => Math.min(hi, Math.max(lo, v))),
      TEXT,
    );
    if (s.observed < s.times.length) {
      const x = Math.round(axes.px(s.times[s.observed]));
      drawDashedLine(c, x, top, x, top + rowH - 31, DROP, 3, 3);
    }
    let y = top;
    c.text(caption, y, `subject ${s.subject}`, TEXT);
    y += 12;
    c.text(caption, y, m.params.map((p, q) => `${p.replace('theta', 'th')}=${s.theta[q].toFixed(2)}`).join(' '), DIM);
    y += 12;
    c.text(caption, y, `z0=${signed(s.z[0])} z2=${signed(s.z[2])} z3=${signed(s.z[3])}`, DIM);
    y += 12;
    const visits = s.observed < s.times.length ? `${s.observed} of ${s.times.length} visits, then dropped` : `${s.observed} visits, completed`;
    c.text(caption, y, visits, s.observed < s.times.length ? DROP : DIM);
  });
  c.text(gap, c.height - 14, `image window (${win[0].toFixed(2)}, ${win[1].toFixed(2)}) shared by all tiles. y axis ${lo} to ${hi} shared by all plots`, DIM);
  return encodePng(c.pixels, c.width, c.height, 3);
}
