/**
 * The `medsynth view` page: NiiVue on one canvas, driven by the server's JSON API
 * (lib/viewer/server.ts). Bundled by scripts/build-viewer.mjs into dist/viewer/viewer.js.
 *
 * Volumes: anatomy → the sample's image and its label map; PET/CT → CT, PET (hot colour map,
 * SUV) and the tumour mask; NIfTI → the file alone. Label volumes get a colour table built from
 * the API's label list, so the canvas and the legend always agree.
 */
import { Niivue, SHOW_RENDER, SLICE_TYPE, type NVImage } from '@niivue/niivue';

import type { LabelEntry, ViewerSource } from '../lib/viewer/source.js';

type VolumeRole = 'image' | 'pet' | 'labels';
interface VolumeSpec {
  url: string;
  role: VolumeRole;
}
interface WindowPreset {
  name: string;
  window?: number;
  level?: number;
  mode?: 'auto' | 'full';
}

const el = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page is missing #${id}`);
  return found as T;
};

const canvas = el<HTMLCanvasElement>('gl');
const status = el<HTMLParagraphElement>('status');
const nv = new Niivue({
  backColor: [0, 0, 0, 1],
  crosshairColor: [0.35, 0.66, 1, 0.55],
  crosshairWidth: 0.5,
  crosshairWidthUnit: 'mm',
  isRadiologicalConvention: true,
  isNearestInterpolation: true, // voxels as stored; linear interpolation is a checkbox
  show3Dcrosshair: true,
  logLevel: 'warn',
  loadingText: 'loading...', // NiiVue's font has no ellipsis
  dragAndDropEnabled: false,
});

let source: ViewerSource;
let roles: VolumeRole[] = [];
let labels: LabelEntry[] = [];
const hidden = new Set<number>();
/** Label values present in the current anatomy sample (all, for PET/CT and NIfTI). */
let present: Set<number> | null = null;
let loadSeq = 0;

function setStatus(text: string, isError = false): void {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `${url}: HTTP ${res.status}`);
  return body as T;
}

const volumeIndex = (role: VolumeRole) => roles.indexOf(role);
const volumeOf = (role: VolumeRole): NVImage | undefined => nv.volumes[volumeIndex(role)];

// ---------------------------------------------------------------------------------------------
// Labels: colour table, overlay switch and legend

function labelColormap(): { R: number[]; G: number[]; B: number[]; A: number[]; I: number[]; labels: string[] } {
  const max = labels.reduce((m, l) => Math.max(m, l.value), 0);
  const cm = { R: [] as number[], G: [] as number[], B: [] as number[], A: [] as number[], I: [] as number[], labels: [] as string[] };
  for (let v = 0; v <= max; v++) {
    const entry = labels.find((l) => l.value === v);
    const [r, g, b] = entry?.color ?? [0, 0, 0];
    cm.R.push(r);
    cm.G.push(g);
    cm.B.push(b);
    cm.A.push(entry && !hidden.has(v) ? 255 : 0);
    cm.I.push(v);
    cm.labels.push(entry?.name ?? (v === 0 ? 'background' : `label ${v}`));
  }
  return cm;
}

function applyLabelColors(): void {
  const vol = volumeOf('labels');
  if (!vol) return;
  vol.setColormapLabel(labelColormap());
  nv.updateGLVolume();
}

function applyOverlay(): void {
  const idx = volumeIndex('labels');
  if (idx < 0) return;
  const on = el<HTMLInputElement>('overlay-on').checked;
  const opacity = Number(el<HTMLInputElement>('overlay-opacity').value);
  el('overlay-opacity-value').textContent = opacity.toFixed(2);
  nv.setOpacity(idx, on ? opacity : 0);
  nv.setAtlasOutline(el<HTMLInputElement>('outline').checked ? 1 : 0);
}

function renderLegend(): void {
  const list = el<HTMLUListElement>('legend');
  list.replaceChildren(
    ...labels.map((l) => {
      const li = document.createElement('li');
      li.dataset.value = String(l.value);
      const isAbsent = present !== null && !present.has(l.value);
      li.className = [isAbsent ? 'absent' : '', hidden.has(l.value) ? 'hidden' : ''].join(' ').trim();
      li.title = isAbsent ? `${l.name}: not present in this sample` : `${l.name}: label value ${l.value} (click to hide/show)`;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = `rgb(${l.color.join(',')})`;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = isAbsent ? `${l.name} (absent)` : l.name;
      const value = document.createElement('span');
      value.className = 'value';
      value.textContent = String(l.value);
      li.append(swatch, name, value);
      li.addEventListener('click', () => {
        if (hidden.has(l.value)) hidden.delete(l.value);
        else hidden.add(l.value);
        renderLegend();
        applyLabelColors();
      });
      return li;
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Slices

const AXES = { sagittal: 0, coronal: 1, axial: 2 } as const;

function sliceAxis(): 0 | 1 | 2 {
  const v = el<HTMLSelectElement>('axis').value;
  return v === 'sagittal' || v === 'coronal' ? AXES[v] : AXES.axial;
}

function syncSliceSlider(): void {
  const vol = nv.volumes[0];
  if (!vol?.dimsRAS) return;
  const a = sliceAxis();
  const slider = el<HTMLInputElement>('slice');
  slider.max = String(vol.dimsRAS[a + 1] - 1);
  const vox = nv.frac2vox(nv.scene.crosshairPos);
  slider.value = String(Math.round(vox[a]));
  el('slice-value').textContent = `${slider.value} / ${slider.max}`;
}

function setSlice(k: number): void {
  const vox = nv.frac2vox(nv.scene.crosshairPos);
  vox[sliceAxis()] = k;
  nv.scene.crosshairPos = nv.vox2frac(vox);
  nv.createOnLocationChange();
  nv.drawScene();
  syncSliceSlider();
}

function applyAxis(): void {
  const v = el<HTMLSelectElement>('axis').value;
  const types: Record<string, SLICE_TYPE> = {
    axial: SLICE_TYPE.AXIAL,
    coronal: SLICE_TYPE.CORONAL,
    sagittal: SLICE_TYPE.SAGITTAL,
    render: SLICE_TYPE.RENDER,
  };
  // The 3D tile is opt-in: ray casting is slow on software WebGL (remote desktops, CI).
  nv.opts.multiplanarShowRender = v === 'multiplanar-3d' ? SHOW_RENDER.ALWAYS : SHOW_RENDER.NEVER;
  nv.setSliceType(types[v] ?? SLICE_TYPE.MULTIPLANAR);
  el('slice-label').firstChild!.textContent = v.startsWith('multiplanar') || v === 'render' ? 'Axial slice ' : 'Slice ';
  syncSliceSlider();
}

/** Puts the crosshair on the centroid of label `value` of the label volume (PET/CT: the primary tumour). */
function focusOnLabel(value: number): void {
  const vol = volumeOf('labels');
  const hdr = vol?.hdr;
  if (!vol?.img || !hdr) return;
  const [nx, ny] = [hdr.dims[1], hdr.dims[2]];
  const sum = [0, 0, 0];
  let n = 0;
  vol.img.forEach((v: number, idx: number) => {
    if (v !== value) return;
    sum[0] += idx % nx;
    sum[1] += Math.floor(idx / nx) % ny;
    sum[2] += Math.floor(idx / (nx * ny));
    n++;
  });
  if (n === 0) return;
  const [i, j, k] = sum.map((t) => t / n);
  const a = hdr.affine; // voxel (i, j, k) of the file → RAS mm, the space NiiVue draws in
  const mm = [0, 1, 2].map((r) => a[r][0] * i + a[r][1] * j + a[r][2] * k + a[r][3]);
  nv.scene.crosshairPos = vol.convertMM2Frac(mm as unknown as Parameters<NVImage['convertMM2Frac']>[0]);
  nv.createOnLocationChange();
  nv.drawScene();
}

// ---------------------------------------------------------------------------------------------
// Window / level of the base image

function presets(): WindowPreset[] {
  const common: WindowPreset[] = [{ name: 'Auto (robust range)', mode: 'auto' }, { name: 'Full range', mode: 'full' }];
  if (source.kind !== 'petct') return common;
  return [
    { name: 'CT soft tissue (W 400, L 40)', window: 400, level: 40 },
    { name: 'CT lung (W 1500, L −600)', window: 1500, level: -600 },
    { name: 'CT bone (W 1800, L 400)', window: 1800, level: 400 },
    ...common,
  ];
}

function syncWindowControls(): void {
  const vol = nv.volumes[0];
  if (!vol) return;
  const lo = vol.global_min ?? 0;
  const hi = vol.global_max ?? 1;
  const span = Math.max(hi - lo, 1e-6);
  const w = el<HTMLInputElement>('window');
  const l = el<HTMLInputElement>('level');
  w.min = String(span / 500);
  w.max = String(2 * span);
  l.min = String(lo - span / 2);
  l.max = String(hi + span / 2);
  const width = (vol.cal_max ?? hi) - (vol.cal_min ?? lo);
  const level = ((vol.cal_max ?? hi) + (vol.cal_min ?? lo)) / 2;
  w.value = String(width);
  l.value = String(level);
  const digits = span >= 50 ? 0 : 2;
  el('window-value').textContent = width.toFixed(digits);
  el('level-value').textContent = level.toFixed(digits);
}

function setWindow(width: number, level: number): void {
  const vol = nv.volumes[0];
  if (!vol) return;
  vol.cal_min = level - width / 2;
  vol.cal_max = level + width / 2;
  nv.updateGLVolume();
  syncWindowControls();
}

function applyPreset(p: WindowPreset): void {
  const vol = nv.volumes[0];
  if (!vol) return;
  if (p.mode === 'full') setWindow((vol.global_max ?? 1) - (vol.global_min ?? 0), ((vol.global_max ?? 1) + (vol.global_min ?? 0)) / 2);
  else if (p.mode === 'auto') setWindow((vol.robust_max ?? 1) - (vol.robust_min ?? 0), ((vol.robust_max ?? 1) + (vol.robust_min ?? 0)) / 2);
  else setWindow(p.window as number, p.level as number);
}

// ---------------------------------------------------------------------------------------------
// PET

function applyPet(): void {
  const idx = volumeIndex('pet');
  const vol = volumeOf('pet');
  if (idx < 0 || !vol) return;
  const opacity = Number(el<HTMLInputElement>('pet-opacity').value);
  const max = Number(el<HTMLInputElement>('pet-max').value);
  el('pet-opacity-value').textContent = opacity.toFixed(2);
  el('pet-max-value').textContent = `${max.toFixed(1)} SUV`;
  vol.cal_min = 0.2 * max; // below a fifth of the range: transparent, so the CT shows through
  vol.cal_max = max;
  nv.setOpacity(idx, el<HTMLInputElement>('pet-on').checked ? opacity : 0);
  nv.updateGLVolume();
}

// ---------------------------------------------------------------------------------------------
// Loading

/** The load in progress: loads run one at a time (NiiVue's loadVolumes must not overlap). */
let loading: Promise<void> = Promise.resolve();

async function loadSet(specs: VolumeSpec[], what: string): Promise<void> {
  const seq = ++loadSeq;
  document.body.dataset.state = 'loading';
  setStatus(`loading ${what}…`);
  const run = loading.then(async () => {
    if (seq !== loadSeq) return; // a newer choice superseded this one before it started
    try {
      await nv.loadVolumes(
        specs.map((s) => ({
          url: s.url,
          colormap: s.role === 'pet' ? 'hot' : 'gray',
          opacity: s.role === 'image' ? 1 : s.role === 'pet' ? 0.6 : 0.5,
        })),
      );
      roles = specs.map((s) => s.role);
      applyLabelColors();
      applyOverlay();
      applyPet();
      el('wl-unit').textContent = source.kind === 'petct' ? '(CT, HU)' : '';
      if (source.kind === 'petct') {
        applyPreset(presets()[0]);
        focusOnLabel(1);
      }
      syncWindowControls();
      syncSliceSlider();
      nv.drawScene();
      if (seq !== loadSeq) return; // a newer choice is queued behind this one
      setStatus(`${what} loaded`);
      document.body.dataset.state = 'ready';
    } catch (err) {
      if (seq !== loadSeq) return;
      setStatus(`could not load ${what}: ${(err as Error).message ?? err}`, true);
      document.body.dataset.state = 'error';
    }
  });
  loading = run;
  await run;
}

/** The anatomy sample shown or being loaded ('api/anatomy/<split>/<row>'). */
let shownSample = '';

async function loadAnatomySample(): Promise<void> {
  if (source.kind !== 'anatomy') return;
  const split = el<HTMLSelectElement>('split').value;
  const count = source.splits.find((s) => s.name === split)?.count ?? 1;
  const input = el<HTMLInputElement>('sample');
  input.max = String(count - 1);
  const row = Math.min(Math.max(0, Math.round(Number(input.value) || 0)), count - 1);
  input.value = String(row);
  const base = `api/anatomy/${split}/${row}`;
  if (base === shownSample) return; // e.g. a 'change' on blur after the value was already loaded
  shownSample = base;
  try {
    const info = await getJson<{ sampleIndex: number; scenario: string; presence: number[]; hasLabels: boolean }>(base);
    present = new Set(info.presence.flatMap((p, k) => (p ? [k + 1] : [])));
    el('sample-info').textContent = `row ${row} of ${count} · sample #${info.sampleIndex} · scenario: ${info.scenario}`;
    renderLegend();
    const specs: VolumeSpec[] = [{ url: `${base}/image.nii`, role: 'image' }];
    if (info.hasLabels) specs.push({ url: `${base}/labels.nii`, role: 'labels' });
    await loadSet(specs, `${split} sample ${row}`);
  } catch (err) {
    setStatus((err as Error).message, true);
    document.body.dataset.state = 'error';
  }
  if (document.body.dataset.state === 'error' && shownSample === base) shownSample = ''; // let a retry load it
}

async function loadPatient(): Promise<void> {
  if (source.kind !== 'petct') return;
  const id = el<HTMLSelectElement>('patient').value;
  const p = source.patients.find((q) => q.id === id);
  if (!p) return;
  const c = p.clinical;
  el('patient-info').textContent = c
    ? `age ${c.age}, ${c.sex}, stage ${c.stage} · ${c.event === '1' ? 'event' : 'censored'} at ${Number(c.time_months).toFixed(1)} months`
    : '';
  await loadSet(
    [
      { url: `files/${p.ct}`, role: 'image' },
      { url: `files/${p.pet}`, role: 'pet' },
      { url: `files/${p.seg}`, role: 'labels' },
    ],
    p.id,
  );
}

async function loadFile(): Promise<void> {
  const file = el<HTMLSelectElement>('file').value;
  await loadSet([{ url: `files/${file.split('/').map(encodeURIComponent).join('/')}`, role: 'image' }], file);
}

function fillSelect(select: HTMLSelectElement, options: Array<{ value: string; text: string }>): void {
  select.replaceChildren(
    ...options.map((o) => {
      const opt = document.createElement('option');
      opt.value = o.value;
      opt.textContent = o.text;
      return opt;
    }),
  );
}

function bindControls(): void {
  const on = (id: string, event: string, fn: () => void) => el(id).addEventListener(event, fn);
  on('overlay-on', 'change', applyOverlay);
  on('overlay-opacity', 'input', applyOverlay);
  on('outline', 'change', applyOverlay);
  on('pet-on', 'change', applyPet);
  on('pet-opacity', 'input', applyPet);
  on('pet-max', 'input', applyPet);
  on('axis', 'change', applyAxis);
  on('slice', 'input', () => setSlice(Number(el<HTMLInputElement>('slice').value)));
  on('radiological', 'change', () => nv.setRadiologicalConvention(el<HTMLInputElement>('radiological').checked));
  on('smooth', 'change', () => nv.setInterpolation(!el<HTMLInputElement>('smooth').checked));
  const wl = () => setWindow(Number(el<HTMLInputElement>('window').value), Number(el<HTMLInputElement>('level').value));
  on('window', 'input', wl);
  on('level', 'input', wl);
  on('wl-preset', 'change', () => applyPreset(presets()[Number(el<HTMLSelectElement>('wl-preset').value)]));
  on('wl-auto', 'click', () => applyPreset({ name: 'auto', mode: 'auto' }));
  on('split', 'change', () => {
    el<HTMLInputElement>('sample').value = '0';
    void loadAnatomySample();
  });
  on('sample', 'change', () => void loadAnatomySample());
  const step = (d: number) => {
    const input = el<HTMLInputElement>('sample');
    input.value = String(Number(input.value) + d);
    void loadAnatomySample();
  };
  on('prev-sample', 'click', () => step(-1));
  on('next-sample', 'click', () => step(1));
  on('patient', 'change', () => void loadPatient());
  on('file', 'change', () => void loadFile());
  nv.onLocationChange = (loc: unknown) => {
    el('location').textContent = (loc as { string?: string }).string ?? '';
    syncSliceSlider();
  };
  nv.onIntensityChange = (vol: NVImage) => {
    if (vol === nv.volumes[0]) syncWindowControls();
  };
}

/** For tests and screenshots: the canvas's current pixels (RGBA, bottom row first), read right after a draw. */
function readPixels(): { width: number; height: number; rgba: string } {
  nv.drawScene();
  const gl = nv.gl;
  const width = gl.drawingBufferWidth;
  const height = gl.drawingBufferHeight;
  const px = new Uint8Array(width * height * 4);
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, px);
  let bin = '';
  for (let i = 0; i < px.length; i += 0x8000) bin += String.fromCharCode(...px.subarray(i, i + 0x8000));
  return { width, height, rgba: btoa(bin) };
}

async function main(): Promise<void> {
  await nv.attachToCanvas(canvas);
  (window as unknown as { medsynthViewer: unknown }).medsynthViewer = { nv, readPixels };
  bindControls();
  applyAxis();
  source = await getJson<ViewerSource>('api/info');
  const kindName = { anatomy: 'anatomy dataset', petct: 'PET/CT cohort', nifti: 'NIfTI' }[source.kind];
  el('source-name').textContent = `${source.name} — ${kindName}`;
  document.title = `${source.name} · medsynth viewer`;
  fillSelect(el('wl-preset'), presets().map((p, i) => ({ value: String(i), text: p.name })));
  if (source.kind === 'anatomy') {
    labels = source.structures;
    el('anatomy-picker').hidden = false;
    el('overlay-title').textContent = 'Structures';
    el('overlay-on-text').textContent = 'Show structures';
    fillSelect(el('split'), source.splits.map((s) => ({ value: s.name, text: `${s.name} (${s.count} samples)` })));
    renderLegend();
    await loadAnatomySample();
  } else if (source.kind === 'petct') {
    labels = source.segLabels;
    el('petct-picker').hidden = false;
    el('pet-controls').hidden = false;
    el('overlay-title').textContent = 'Tumour mask';
    el('overlay-on-text').textContent = 'Show tumour mask';
    el<HTMLInputElement>('outline').checked = true;
    fillSelect(el('patient'), source.patients.map((p) => ({ value: p.id, text: p.id })));
    renderLegend();
    await loadPatient();
  } else {
    el('nifti-picker').hidden = false;
    el('overlay-title').parentElement!.hidden = true;
    fillSelect(el('file'), source.files.map((f) => ({ value: f, text: f })));
    await loadFile();
  }
}

main().catch((err) => {
  setStatus(`viewer failed to start: ${(err as Error).message ?? err}`, true);
  document.body.dataset.state = 'error';
});
