/**
 * What the viewer was pointed at, described for the page (the JSON of GET /api/info):
 *
 *   anatomy  a `medsynth generate` dataset: metadata.json (format 'medsynth-anatomy3d') and one
 *            HDF5 file per split; the page picks a split and a row
 *   petct    a `medsynth petct` cohort: metadata.json (generator 'medsynth petct') and one folder
 *            per patient with ct.nii.gz, pet.nii.gz and seg.nii.gz
 *   nifti    one .nii / .nii.gz file, or a folder of them (searched two levels deep)
 *
 * Files are named by their path relative to the root, '/'-separated, as GET /files/<path>
 * serves them.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { readCompletedMetadata, type SplitName } from '../datasets/reader.js';
import { STRUCTURE_COLORS } from '../preview/anatomy_preview.js';
import type { Rgb } from '../preview/canvas.js';

export interface LabelEntry {
  /** The voxel value in the label volume. */
  value: number;
  name: string;
  color: Rgb;
}

export interface AnatomySource {
  kind: 'anatomy';
  name: string;
  /** Splits with at least one sample, in train/val/test order. */
  splits: Array<{ name: SplitName; count: number }>;
  /** [Z, Y, X] voxels and [sz, sy, sx] mm. */
  imageSize: [number, number, number];
  spacing: [number, number, number];
  imageDtype: string;
  intensityUnits: string;
  /** Label k + 1 is structure k (0 is background), coloured as in `medsynth preview`. */
  structures: LabelEntry[];
}

export interface PetCtPatientEntry {
  id: string;
  /** Files relative to the root. */
  ct: string;
  pet: string;
  seg: string;
  /** This patient's row of clinical.csv (strings as written), when present. */
  clinical?: Record<string, string>;
}

export interface PetCtSource {
  kind: 'petct';
  name: string;
  patients: PetCtPatientEntry[];
  /** Values of seg.nii.gz (0, background, is not listed). */
  segLabels: LabelEntry[];
  units: { ct: string; pet: string };
}

export interface NiftiSource {
  kind: 'nifti';
  name: string;
  files: string[];
}

export type ViewerSource = AnatomySource | PetCtSource | NiftiSource;

/** Colours of the PET/CT mask labels: primary tumour cyan, nodes/metastases green (both read on 'hot' PET). */
const SEG_COLORS: readonly Rgb[] = [[0, 230, 255], [60, 255, 90], [255, 90, 160]];

const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

export function isNiftiName(name: string): boolean {
  return /\.nii(\.gz)?$/i.test(name);
}

/** The structures of an anatomy dataset with their label values and preview colours. */
export function structureLabels(names: readonly string[]): LabelEntry[] {
  return names.map((name, k) => ({ value: k + 1, name, color: STRUCTURE_COLORS[k % STRUCTURE_COLORS.length] }));
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function describeAnatomy(root: string): AnatomySource {
  const probe = readJson(path.join(root, 'metadata.json')) ?? {};
  const listed = (probe.splits ?? {}) as Record<string, { file?: string; count?: number }>;
  const present = SPLITS.filter((s) => (listed[s]?.count ?? 0) > 0 && existsSync(path.join(root, `${s}.h5`)));
  // The same completeness check openDataset makes: every listed file at its recorded size.
  const meta = readCompletedMetadata(root, present.map((s) => `${s}.h5`));
  const storage = (meta.storage ?? {}) as { image_dtype?: string };
  return {
    kind: 'anatomy',
    name: path.basename(root),
    splits: present.map((s) => ({ name: s, count: listed[s].count as number })),
    imageSize: meta.image_size as [number, number, number],
    spacing: ((meta.spacing as number[]) ?? [1, 1, 1]) as [number, number, number],
    imageDtype: storage.image_dtype ?? 'unknown',
    intensityUnits: 'seed intensity scale (HU-like)',
    structures: structureLabels((meta.structure_names as string[]) ?? []),
  };
}

/** clinical.csv rows by patient id (the generator writes plain comma-separated values, no quoting). */
function readClinical(root: string): Map<string, Record<string, string>> {
  const rows = new Map<string, Record<string, string>>();
  const file = path.join(root, 'clinical.csv');
  if (!existsSync(file)) return rows;
  const [head, ...lines] = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const columns = head.split(',');
  for (const line of lines) {
    const cells = line.split(',');
    rows.set(cells[0], Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])));
  }
  return rows;
}

function describePetCt(root: string, meta: Record<string, unknown>): PetCtSource {
  const images = (meta.images ?? {}) as Record<string, { file?: string; unit?: string; labels?: Record<string, string> }>;
  const file = (kind: 'ct' | 'pet' | 'seg') => images[kind]?.file ?? `${kind}.nii.gz`;
  const clinical = readClinical(root);
  const patients: PetCtPatientEntry[] = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, file('ct'))))
    .map((d) => d.name)
    .sort()
    .map((id) => ({ id, ct: `${id}/${file('ct')}`, pet: `${id}/${file('pet')}`, seg: `${id}/${file('seg')}`, clinical: clinical.get(id) }));
  if (patients.length === 0) throw new MedsynthError('INVALID_ARGUMENT', `${root} is a PET/CT cohort without patient folders (no */${file('ct')})`);
  const labels = Object.entries(images.seg?.labels ?? { 1: 'primary tumour', 2: 'lymph node or metastasis' })
    .map(([value, name]) => ({ value: Number(value), name }))
    .filter((l) => l.value > 0)
    .map((l, k) => ({ ...l, color: SEG_COLORS[k % SEG_COLORS.length] }));
  return {
    kind: 'petct',
    name: path.basename(root),
    patients,
    segLabels: labels,
    units: { ct: images.ct?.unit ?? 'HU', pet: images.pet?.unit ?? 'SUV' },
  };
}

/** NIfTI files under `root`, at most two folders deep, sorted, at most `limit`. */
function findNiftiFiles(root: string, limit = 2000): string[] {
  const found: string[] = [];
  const walk = (rel: string, depth: number) => {
    const entries = readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (found.length >= limit) return;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isFile() && isNiftiName(e.name)) found.push(child);
      else if (e.isDirectory() && depth < 2) walk(child, depth + 1);
    }
  };
  walk('', 0);
  return found;
}

/**
 * Describes `target` (a directory or a NIfTI file) for the viewer. `root` is the directory the
 * server serves files from: the target itself, or a NIfTI file's folder (then only that file is
 * listed and served).
 */
export function describeSource(target: string): { root: string; source: ViewerSource } {
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    throw new MedsynthError('INVALID_ARGUMENT', `${target} does not exist`);
  }
  if (statSync(real).isFile()) {
    if (!isNiftiName(real)) throw new MedsynthError('INVALID_ARGUMENT', `${target} is not a NIfTI file (.nii or .nii.gz), a medsynth dataset or a PET/CT cohort`);
    return { root: path.dirname(real), source: { kind: 'nifti', name: path.basename(real), files: [path.basename(real)] } };
  }
  const meta = readJson(path.join(real, 'metadata.json'));
  if (meta?.format === 'medsynth-anatomy3d') return { root: real, source: describeAnatomy(real) };
  if (meta?.generator === 'medsynth petct') return { root: real, source: describePetCt(real, meta) };
  const files = findNiftiFiles(real);
  if (files.length === 0) {
    throw new MedsynthError('INVALID_ARGUMENT', `${target} is neither a medsynth dataset (metadata.json), a PET/CT cohort nor a folder with NIfTI files`);
  }
  return { root: real, source: { kind: 'nifti', name: path.basename(real), files } };
}
