import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { writeNifti } from '../lib/io/nifti.js';
import { medsynth } from './helpers/cli.js';
import { runPython } from './helpers/python.js';
import { tempDir } from './helpers/tmp.js';

const tmp = tempDir('medsynth-nodules-');
afterAll(() => tmp.cleanup());

describe('medsynth nodules', () => {
  it('writes nodules.h5 (patches, masks, attribute table), a preview PNG and CT volumes with inserted nodules', () => {
    const out = path.join(tmp.dir, 'set');
    const r = medsynth(['nodules', '--out', out, '--n', '24', '--kinds', 'solid,spiculated,part-solid', '--seed', '3', '--insert', '1', '--ct-size', '48,64,64', '--size', '48']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const py = runPython(
      `import sys, json, h5py, numpy as np, nibabel as nib
from PIL import Image
f = h5py.File(sys.argv[1] + '/nodules.h5', 'r')
t = f['table']
kinds = sorted(set(k.decode() for k in t['kind'][:]))
img = Image.open(sys.argv[1] + '/preview.png')
ct = nib.load(sys.argv[1] + '/insert/case_0000/ct.nii.gz')
mask = nib.load(sys.argv[1] + '/insert/case_0000/nodule_mask.nii.gz').get_fdata()
labels = nib.load(sys.argv[1] + '/insert/case_0000/labels.nii.gz').get_fdata()
print(json.dumps({
  'images': list(f['images'].shape), 'masks': list(f['masks'].shape), 'dtype': str(f['images'].dtype),
  'kinds': kinds, 'columns': sorted(t.keys()),
  'malignant': int(f['malignant'][:].sum()), 'table_malignant': int(t['malignant'][:].sum()),
  'mask_voxels': [int((f['masks'][i] > 0).sum()) for i in range(3)],
  'diameters': [float(d) for d in t['diameter_mm'][:3]],
  'png': [img.size[0], img.size[1], img.mode],
  'ct_shape': list(ct.shape), 'nodule_voxels': int(mask.sum()), 'nodule_in_labels': int((labels == 14).sum()),
}))`,
      [out],
      ['h5py', 'nibabel', 'PIL'],
    );
    const info = JSON.parse(py);
    expect(info.images).toEqual([24, 48, 48, 48]);
    expect(info.masks).toEqual([24, 48, 48, 48]);
    expect(info.dtype).toBe('float32');
    expect(info.kinds).toEqual(['part-solid', 'solid', 'spiculated']);
    for (const c of ['kind', 'diameter_mm', 'malignant', 'volume_mm3', 'spicule_count', 'upper_lobe', 'source']) expect(info.columns).toContain(c);
    expect(info.table_malignant).toBe(info.malignant);
    info.mask_voxels.forEach((v: number, i: number) => {
      // 48³ patch at 51.2/48 mm: the mask's volume is about π d³/6.
      const s = 51.2 / 48;
      expect(v * s ** 3).toBeGreaterThan(0.8 * ((Math.PI / 6) * info.diameters[i] ** 3));
    });
    expect(info.png[2]).toBe('RGB');
    expect(info.ct_shape).toEqual([64, 64, 48]);
    expect(info.nodule_voxels).toBeGreaterThan(0);
    expect(info.nodule_voxels).toBe(info.nodule_in_labels);
    const insertions = JSON.parse(readFileSync(path.join(out, 'insert', 'insertions.json'), 'utf8'));
    expect(insertions).toHaveLength(1);
  });

  it('--balance writes a 1:1 set', () => {
    const out = path.join(tmp.dir, 'balanced');
    const r = medsynth(['nodules', '--out', out, '--n', '40', '--balance', '--size', '32', '--no-preview']);
    expect(r.status).toBe(0);
    const m = /wrote (\d+) nodules \((\d+) malignant\)/.exec(r.stdout)!;
    expect(Number(m[1])).toBe(2 * Number(m[2]));
  });

  it('bad input: one-line errors, exit 2, nothing written', async () => {
    const ctDir = path.join(tmp.dir, 'ct');
    const dims = [16, 16, 16];
    await writeNifti(path.join(ctDir, 'ct.nii.gz'), { data: new Float32Array(4096).fill(-1000), dims, spacing: [2, 2, 2] });
    await writeNifti(path.join(ctDir, 'labels.nii.gz'), { data: new Uint8Array(4096).fill(7), dims, spacing: [2, 2, 2] });
    const cases: string[][] = [
      ['--diameter', '20,10'],
      ['--diameter', '4,60'],
      ['--diameter', '0,10'],
      ['--malignant-ratio', '0'],
      ['--malignant-ratio', '-3'],
      ['--kinds', 'solid,round'],
      ['--insert', '1', '--ct', path.join(ctDir, 'ct.nii.gz'), '--ct-labels', path.join(ctDir, 'labels.nii.gz')],
    ];
    for (const extra of cases) {
      const out = path.join(tmp.dir, `bad-${extra.join('_').replace(/[^a-z0-9-]/gi, '')}`);
      const r = medsynth(['nodules', '--out', out, '--n', '5', ...extra]);
      expect(r.status, extra.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out), extra.join(' ')).toBe(false);
    }
    const noLung = medsynth(['nodules', '--out', path.join(tmp.dir, 'x'), '--n', '5', '--insert', '1', '--ct', path.join(ctDir, 'ct.nii.gz'), '--ct-labels', path.join(ctDir, 'labels.nii.gz')]);
    expect(noLung.stderr).toMatch(/no lung/);
  });
});
