/**
 * Writing a nodule set:
 *
 *   <dir>/nodules.h5       images [N, Z, Y, X] float32 HU; masks [N, Z, Y, X] uint8 (1 nodule,
 *                          2 solid core); malignant [N] uint8; table/<column> [N] — the attribute
 *                          table (TABLE_COLUMNS); params_json [N] (each nodule's full parameters,
 *                          augmentation included); root attributes: options, units, spacing.
 *   <dir>/preview.png      a row of axial centre slices per kind
 *   <dir>/insert/case_KKKK/{ct,labels,nodule_mask}.nii.gz and <dir>/insert/insertions.json
 *                          with --insert K: anatomy CTs (or the user's CT) with nodule k inserted
 *
 * All options are checked, and a user CT is checked for lung, before anything is written; every
 * file is written under a temporary name and renamed when complete.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { invalidParameter } from '../../errors.js';
import { writeAtomically, writeFileAtomicSync } from '../../io/atomic.js';
import { createH5, createSampleDataset, setAttributes, writeSmallDataset, type H5File } from '../../io/hdf5.js';
import { lpsAffine, centredOrigin, writeNifti } from '../../io/nifti.js';
import { castToInt16 } from '../../ops/intensity.js';
import { labelMaskBox } from '../../ops/labels.js';
import { checkInteger } from '../../validate.js';
import { resolveAugmentOptions, type AugmentOptions } from './augment.js';
import { planBalancedDataset, type BalanceEntry } from './balance.js';
import { anatomyHostCt, checkHostCt, resolveHostCtOptions, type HostCt, type HostCtOptions } from './host_ct.js';
import { insertNodule, lungBoxes, type Insertion } from './insert.js';
import { describeNoduleOptions, resolveNoduleOptions, type NoduleOptions } from './options.js';
import { renderNodulePreview, type PreviewNodule } from './preview.js';
import { RISK_BETA, RISK_COVARIATES } from './risk_model.js';
import { planSources } from './plan_sources.js';
import { ProceduralNoduleSource, type NoduleSample, type NoduleSource } from './source.js';

export interface NoduleDatasetOptions extends NoduleOptions {
  /** Nodules in the (imbalanced) cohort. */
  n: number;
  outputDir: string;
  /** Balance to 1:1 with extra malignant nodules mixed from these sources (true: half procedural, half augmented). */
  balance?: boolean | Readonly<Record<string, number>>;
  /** Augmentation of 'augmented' copies. */
  augment?: AugmentOptions;
  /** Write this many CT volumes, nodule k inserted into CT k. Default 0. */
  insert?: number;
  /** The anatomy host CTs' options, or one user CT used for every case. */
  host?: HostCtOptions | { user: HostCt };
  /** gzip level of the masks (images are stored uncompressed: noisy floats barely compress). Default 4. */
  gzipLevel?: number;
  preview?: boolean;
  /** Extra sources for balancing entries whose source is neither 'cohort', 'procedural' nor 'augmented' (e.g. a GAN). */
  sources?: Readonly<Record<string, NoduleSource>>;
}

export interface NoduleDatasetResult {
  outputDir: string;
  count: number;
  malignant: number;
  files: string[];
  insertions: Insertion[];
  wallSeconds: number;
}

export const TABLE_COLUMNS = [
  'index', 'source', 'parent_index', 'kind', 'diameter_mm', 'volume_mm3', 'density_hu', 'core_hu', 'core_fraction',
  'margin_sigma_mm', 'spicule_count', 'lobulation', 'side', 'upper_lobe', 'malignancy_probability', 'malignant', 'augmented',
] as const;

type Row = Record<(typeof TABLE_COLUMNS)[number], number | string>;

function tableRow(entry: BalanceEntry, s: NoduleSample): Row {
  const p = s.params;
  return {
    index: entry.index,
    source: entry.source,
    parent_index: entry.parentIndex ?? -1,
    kind: p?.kind ?? 'unknown',
    diameter_mm: p?.diameterMm ?? NaN,
    volume_mm3: s.volumeMm3 ?? NaN,
    density_hu: p?.densityHu ?? NaN,
    core_hu: p?.coreHu ?? NaN,
    core_fraction: p?.coreFraction ?? NaN,
    margin_sigma_mm: p?.marginSigmaMm ?? NaN,
    spicule_count: p?.spicules.length ?? 0,
    lobulation: p ? p.harmonics.reduce((a, h) => a + Math.abs(h.amplitude), 0) : NaN,
    side: p?.side ?? 'unknown',
    upper_lobe: p?.upperLobe ? 1 : 0,
    malignancy_probability: p?.malignancyProbability ?? NaN,
    malignant: entry.malignant ? 1 : 0,
    augmented: s.augment ? 1 : 0,
  };
}

function writeTable(file: H5File, rows: Row[]): void {
  const group = file.create_group('table');
  if (!group) throw invalidParameter('table', 'a new HDF5 group', null);
  for (const c of TABLE_COLUMNS) {
    const values = rows.map((r) => r[c]);
    if (typeof values[0] === 'string') writeSmallDataset(file, `table/${c}`, values as string[], [rows.length]);
    else if (['index', 'parent_index', 'spicule_count', 'upper_lobe', 'malignant', 'augmented'].includes(c)) writeSmallDataset(file, `table/${c}`, Int32Array.from(values as number[]), [rows.length], 'int32');
    else writeSmallDataset(file, `table/${c}`, Float64Array.from(values as number[]), [rows.length], 'float64');
  }
}

export async function generateNoduleDataset(options: NoduleDatasetOptions, hooks: { onNodule?: (done: number, total: number) => void } = {}): Promise<NoduleDatasetResult> {
  const started = performance.now();
  // ---- everything checked before anything is written
  const o = resolveNoduleOptions(options);
  const n = checkInteger('n', options.n, 1, 1_000_000);
  const dir = options.outputDir;
  if (typeof dir !== 'string' || dir.length === 0) throw invalidParameter('outputDir', 'a directory path', dir);
  const insert = checkInteger('insert', options.insert ?? 0, 0, 100_000);
  const gzipLevel = checkInteger('gzipLevel', options.gzipLevel ?? 4, 0, 9);
  resolveAugmentOptions(options.augment);
  const procedural = new ProceduralNoduleSource(o);
  const cohort = Array.from({ length: n }, (_, i) => procedural.params(i).malignant);
  const mix = options.balance === true ? undefined : options.balance || undefined;
  const plan: BalanceEntry[] = options.balance
    ? planBalancedDataset(o, cohort, mix)
    : cohort.map((m, i) => ({ source: 'cohort', index: i, parentIndex: null, malignant: m }));
  const sourceOf = planSources(o, plan, options.sources, options.augment);
  if (insert > plan.length) throw invalidParameter('insert', `at most the ${plan.length} nodules written`, insert);
  const host = options.host ?? {};
  const userHost = 'user' in host ? checkHostCt(host.user) : null;
  if (userHost && insert > 0) await lungBoxes(userHost);
  const hostOptions: HostCtOptions = 'user' in host ? {} : { seed: o.seed, ...host };
  if (!userHost) resolveHostCtOptions(hostOptions);

  const files: string[] = [];
  const h5Path = path.join(dir, 'nodules.h5');
  const previewNodules: PreviewNodule[] = [];
  const [Z, Y, X] = o.patchSize;
  await writeAtomically(h5Path, async (temp) => {
    const file = await createH5(temp);
    try {
      const chunks = [1, Z, Y, X];
      const images = createSampleDataset(file, { name: 'images', dtype: 'float32', sampleShape: o.patchSize, count: plan.length, chunks, gzipLevel: 0 });
      const masks = createSampleDataset(file, { name: 'masks', dtype: 'uint8', sampleShape: o.patchSize, count: plan.length, chunks, gzipLevel });
      const rows: Row[] = [];
      const paramsJson: string[] = [];
      for (let j = 0; j < plan.length; j++) {
        const e = plan[j];
        const s = await sourceOf(e).sample(e.index);
        images.write_slice([[j, j + 1]], s.patch.image);
        masks.write_slice([[j, j + 1]], s.patch.mask);
        rows.push(tableRow(e, s));
        paramsJson.push(JSON.stringify({ entry: e, params: s.params, augment: s.augment }));
        const kind = s.params?.kind ?? 'unknown';
        if (previewNodules.filter((p) => p.kind === kind).length < 6 && !s.augment) {
          previewNodules.push({ kind, diameterMm: s.params?.diameterMm ?? NaN, malignant: e.malignant, dims: s.patch.dims, spacing: s.patch.spacing, image: Float32Array.from(s.patch.image), mask: Uint8Array.from(s.patch.mask) });
        }
        hooks.onNodule?.(j + 1, plan.length);
      }
      writeSmallDataset(file, 'malignant', Uint8Array.from(plan, (e) => (e.malignant ? 1 : 0)), [plan.length], 'uint8');
      writeSmallDataset(file, 'params_json', paramsJson, [plan.length]);
      writeTable(file, rows);
      setAttributes(file, {
        generator: 'medsynth nodules',
        units: 'HU',
        spacing_mm: o.spacing,
        mask_labels: JSON.stringify({ 0: 'background', 1: 'nodule', 2: 'solid core (part-solid)' }),
        table_columns: [...TABLE_COLUMNS],
        options: JSON.stringify(describeNoduleOptions(o)),
        risk_model: JSON.stringify({ covariates: RISK_COVARIATES, beta: RISK_BETA, intercept: o.intercept }),
        balanced: options.balance ? 'true' : 'false',
      });
    } finally {
      file.close();
    }
  });
  files.push(h5Path);

  if (options.preview ?? true) {
    const png = path.join(dir, 'preview.png');
    writeFileAtomicSync(png, renderNodulePreview(previewNodules));
    files.push(png);
  }

  const insertions: Insertion[] = [];
  for (let k = 0; k < insert; k++) {
    const e = plan[k];
    const s = await sourceOf(e).sample(e.index);
    const h = userHost ? { ...userHost, ct: Float32Array.from(userHost.ct), labels: Uint8Array.from(userHost.labels) } : await anatomyHostCt(hostOptions, k);
    const placement = s.params ? { side: s.params.side, upperLobe: s.params.upperLobe } : { side: 'right' as const, upperLobe: true };
    const ins = await insertNodule(h, s.patch, placement, { seed: o.seed, index: k });
    insertions.push(ins);
    const caseDir = path.join(dir, 'insert', `case_${String(k).padStart(4, '0')}`);
    const affine = lpsAffine(h.spacing, centredOrigin(h.dims, h.spacing));
    const ct16 = await castToInt16(h.ct);
    const nodule = await labelMaskBox(h.labels, h.dims, [0, 0, 0, ...h.dims], h.noduleLabel);
    for (const [name, data, intent] of [['ct', ct16, 'HU'], ['labels', h.labels, 'labels'], ['nodule_mask', nodule, 'mask']] as const) {
      const file = path.join(caseDir, `${name}.nii.gz`);
      await writeNifti(file, { data, dims: h.dims, spacing: h.spacing, affine, intentName: intent });
      files.push(file);
    }
  }
  if (insert > 0) {
    const file = path.join(dir, 'insert', 'insertions.json');
    await writeAtomically(file, (temp) => writeFile(temp, JSON.stringify(insertions.map((ins, k) => ({ case: k, nodule: plan[k], ...ins })), null, 2)));
    files.push(file);
  }
  const malignant = plan.filter((e) => e.malignant).length;
  return { outputDir: dir, count: plan.length, malignant, files, insertions, wallSeconds: (performance.now() - started) / 1000 };
}
