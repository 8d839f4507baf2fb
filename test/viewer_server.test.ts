/**
 * `medsynth view`'s server at the HTTP level: the JSON API, anatomy samples converted to NIfTI
 * (compared with the HDF5 sample), PET/CT and NIfTI files, path traversal, the loopback-only
 * bind, and the CLI printing its URL.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDataset } from '../lib/datasets/reader.js';
import { MedsynthError } from '../lib/errors.js';
import { decodeNifti } from '../lib/io/nifti.js';
import { labelMapOfMasks } from '../lib/viewer/anatomy_nifti.js';
import { loopbackAddress, startViewer, type ViewerServer } from '../lib/viewer/server.js';
import { BIN, ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';
import { ANATOMY_SIZE, ANATOMY_SPACING, buildViewerPage, makeAnatomyDataset, makePetCtCohort } from './helpers/viewer_fixture.js';

/** A raw GET: `path` goes out exactly as given (fetch would normalise '..' away). */
function rawGet(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson(port: number, p: string): Promise<any> {
  const r = await rawGet(port, p);
  expect(r.status, `${p}: ${r.body.toString()}`).toBe(200);
  return JSON.parse(r.body.toString());
}

describe('medsynth view: server', () => {
  const tmp = tempDir('medsynth-viewer-');
  const page = path.join(tmp.dir, 'page');
  const anatomy = path.join(tmp.dir, 'anatomy');
  const onehot = path.join(tmp.dir, 'anatomy-onehot');
  const petct = path.join(tmp.dir, 'petct');
  const secret = path.join(tmp.dir, 'secret.txt');
  let viewer: ViewerServer;

  beforeAll(async () => {
    buildViewerPage(page);
    await makeAnatomyDataset(anatomy, 'both');
    await makeAnatomyDataset(onehot, 'onehot');
    await makePetCtCohort(petct);
    writeFileSync(secret, 'SECRET-CONTENT-42');
    viewer = await startViewer(anatomy, { pageDir: page });
  }, 180_000);
  afterAll(async () => {
    await viewer?.close();
    tmp.cleanup();
  });

  it('listens on 127.0.0.1 only and prints a loopback URL', async () => {
    expect(viewer.host).toBe('127.0.0.1');
    expect(viewer.url).toBe(`http://127.0.0.1:${viewer.port}/`);
    expect(viewer.port).toBeGreaterThan(0);
    // Every non-loopback address of this machine refuses the connection.
    const external = Object.values(os.networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4');
    for (const a of external) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect({ host: a!.address, port: viewer.port });
        s.on('connect', () => (s.destroy(), resolve(false)));
        s.on('error', () => resolve(true));
      });
      expect(refused, `reachable on ${a!.address}`).toBe(true);
    }
  });

  it('refuses to bind anything but a loopback address', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      expect(() => loopbackAddress(host)).toThrow(/not a loopback address/);
      await expect(startViewer(anatomy, { pageDir: page, host })).rejects.toThrow(MedsynthError);
    }
    expect(loopbackAddress('localhost')).toBe('127.0.0.1');
    expect(loopbackAddress('127.0.0.2')).toBe('127.0.0.2');
    expect(loopbackAddress('::1')).toBe('::1');
  });

  it('answers requests addressed to another host name with 403 (DNS rebinding)', async () => {
    expect((await rawGet(viewer.port, '/api/info', { host: 'attacker.example:80' })).status).toBe(403);
    expect((await rawGet(viewer.port, '/api/info', { host: `localhost:${viewer.port}` })).status).toBe(200);
  });

  it('serves the page and its bundle', async () => {
    const html = await rawGet(viewer.port, '/');
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body.toString()).toContain('viewer.js');
    // The page may load only from this server (the browser test shows NiiVue works under it).
    expect(html.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const js = await rawGet(viewer.port, '/viewer.js');
    expect(js.status).toBe(200);
    expect(js.body.length).toBeGreaterThan(100_000); // NiiVue is inside
    expect(js.body.toString()).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)\./);
    const notices = await rawGet(viewer.port, '/THIRD-PARTY-LICENSES.txt');
    expect(notices.status).toBe(200);
    expect(notices.body.toString()).toMatch(/@niivue\/niivue 0\.69\.0 — BSD-2-Clause/);
  });

  it('describes an anatomy dataset: splits, counts, structures with label values and colours', async () => {
    const info = await getJson(viewer.port, '/api/info');
    const meta = JSON.parse(readFileSync(path.join(anatomy, 'metadata.json'), 'utf8'));
    expect(info.kind).toBe('anatomy');
    expect(info.splits).toEqual([
      { name: 'train', count: meta.splits.train.count },
      { name: 'val', count: meta.splits.val.count },
      { name: 'test', count: meta.splits.test.count },
    ]);
    expect(info.imageSize).toEqual(ANATOMY_SIZE);
    expect(info.spacing).toEqual(ANATOMY_SPACING);
    expect(info.structures.map((s: { name: string }) => s.name)).toEqual(meta.structure_names);
    expect(info.structures.map((s: { value: number }) => s.value)).toEqual(meta.structure_names.map((_: string, k: number) => k + 1));
    for (const s of info.structures) expect(s.color).toHaveLength(3);
    expect(new Set(info.structures.map((s: { color: number[] }) => s.color.join())).size).toBe(info.structures.length);
  });

  it('serves each anatomy sample as NIfTI equal to the HDF5 sample, with spacing and the label map', async () => {
    for (const split of ['train', 'val', 'test'] as const) {
      const ds = await openDataset(anatomy, { split });
      try {
        for (let i = 0; i < ds.length; i++) {
          const item = ds.get(i);
          const about = await getJson(viewer.port, `/api/anatomy/${split}/${i}`);
          expect(about).toMatchObject({ split, index: i, sampleIndex: item.sampleIndex, scenario: item.scenario, hasLabels: true });
          expect(about.presence).toEqual(Array.from(item.presence));

          const img = await rawGet(viewer.port, `/api/anatomy/${split}/${i}/image.nii`);
          expect(img.status).toBe(200);
          const nii = decodeNifti(img.body);
          expect(nii.dims).toEqual(ANATOMY_SIZE);
          expect(nii.spacing).toEqual(ANATOMY_SPACING);
          expect(nii.datatype).toBe(2); // uint8, as stored
          expect(Buffer.from(nii.data.buffer, nii.data.byteOffset, nii.data.byteLength).equals(Buffer.from(item.image.buffer, item.image.byteOffset, item.image.byteLength))).toBe(true);
          // LPS voxel axes in a RAS+ affine: x and y negated, z along +z, the sizes the spacing.
          expect(nii.affine[0][0]).toBeCloseTo(-ANATOMY_SPACING[2]);
          expect(nii.affine[1][1]).toBeCloseTo(-ANATOMY_SPACING[1]);
          expect(nii.affine[2][2]).toBeCloseTo(ANATOMY_SPACING[0]);

          const lab = decodeNifti((await rawGet(viewer.port, `/api/anatomy/${split}/${i}/labels.nii`)).body);
          expect(lab.dims).toEqual(ANATOMY_SIZE);
          expect(lab.affine).toEqual(nii.affine);
          expect(Array.from(lab.data)).toEqual(Array.from(item.labels!));
          // The stored label map and the one-hot masks agree, so either form gives the same overlay.
          expect(Array.from(await labelMapOfMasks(item.masks!, ds.structureNames.length, lab.data.length))).toEqual(Array.from(item.labels!));
        }
      } finally {
        ds.close();
      }
    }
  });

  it('derives the label map from one-hot masks when the dataset stores only those', async () => {
    const v = await startViewer(onehot, { pageDir: page });
    const ds = await openDataset(anatomy, { split: 'train' }); // same seed and options: same labels
    try {
      const lab = decodeNifti((await rawGet(v.port, '/api/anatomy/train/1/labels.nii')).body);
      expect(Array.from(lab.data)).toEqual(Array.from(ds.get(1).labels!));
      expect(new Set(lab.data).size).toBeGreaterThan(3);
    } finally {
      ds.close();
      await v.close();
    }
  });

  it('answers 404 for splits, rows and volumes that do not exist', async () => {
    for (const p of ['/api/anatomy/train/99/image.nii', '/api/anatomy/train/-1', '/api/anatomy/train/1e0', '/api/anatomy/bogus/0', '/api/anatomy/train/0/other.nii', '/nope', '/files/train.h5']) {
      expect((await rawGet(viewer.port, p)).status, p).toBe(404);
    }
  });

  it('never serves a file outside the path: .., encoded .., backslashes and links answer 403/404', async () => {
    symlinkSync(secret, path.join(anatomy, 'link-out.nii'));
    const attempts = [
      '/files/../secret.txt',
      '/files/%2e%2e/secret.txt',
      '/files/%2E%2E/%2e%2e/etc/passwd',
      '/files/..%2fsecret.txt',
      '/files/..%5csecret.txt',
      '/files/%2e%2e%2fsecret.txt',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/api/%2e%2e/%2e%2e/secret.txt',
      '/files//etc/passwd',
      `/files/${encodeURIComponent(secret)}`,
      '/files/link-out.nii',
      '/files/metadata.json',
      '/files/%00',
    ];
    for (const p of attempts) {
      const r = await rawGet(viewer.port, p);
      expect([403, 404], `${p} → ${r.status}`).toContain(r.status);
      expect(r.body.toString()).not.toMatch(/SECRET-CONTENT-42|root:/);
    }
    expect((await rawGet(viewer.port, '/files/../secret.txt')).status).toBe(403);
    expect((await rawGet(viewer.port, '/files/%2e%2e/secret.txt')).status).toBe(403);
  });

  it('only answers GET and HEAD', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: viewer.port, path: '/api/info', method: 'POST' }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      req.end('x');
    });
    expect(r).toBe(405);
  });

  it('describes a PET/CT cohort and serves exactly its patients’ NIfTI files', async () => {
    const v = await startViewer(petct, { pageDir: page });
    try {
      const info = await getJson(v.port, '/api/info');
      expect(info.kind).toBe('petct');
      expect(info.patients.map((p: { id: string }) => p.id)).toEqual(['patient_0000', 'patient_0001']);
      expect(info.segLabels.map((l: { value: number; name: string }) => [l.value, l.name])).toEqual([[1, 'primary tumour'], [2, 'lymph node or metastasis']]);
      expect(info.units).toEqual({ ct: 'HU', pet: 'SUV' });
      expect(info.patients[0].clinical).toHaveProperty('stage');
      for (const p of info.patients) {
        for (const f of [p.ct, p.pet, p.seg]) {
          const r = await rawGet(v.port, `/files/${f}`);
          expect(r.status).toBe(200);
          expect(r.body.equals(readFileSync(path.join(petct, f)))).toBe(true);
          expect(decodeNifti(r.body).dims).toEqual([24, 32, 32]);
        }
      }
      for (const p of ['/files/clinical.csv', '/files/truth.csv', '/files/patient_0000/truth.json', '/files/patient_0000/../../secret.txt', '/api/anatomy/train/0']) {
        expect([403, 404], p).toContain((await rawGet(v.port, p)).status);
      }
    } finally {
      await v.close();
    }
  });

  it('serves a single NIfTI file and nothing beside it', async () => {
    const file = path.join(petct, 'patient_0001', 'ct.nii.gz');
    const v = await startViewer(file, { pageDir: page });
    try {
      const info = await getJson(v.port, '/api/info');
      expect(info).toEqual({ kind: 'nifti', name: 'ct.nii.gz', files: ['ct.nii.gz'] });
      expect((await rawGet(v.port, '/files/ct.nii.gz')).body.equals(readFileSync(file))).toBe(true);
      for (const p of ['/files/pet.nii.gz', '/files/seg.nii.gz', '/files/truth.json', '/files/../clinical.csv']) {
        expect([403, 404], p).toContain((await rawGet(v.port, p)).status);
      }
    } finally {
      await v.close();
    }
  });

  it('lists a folder of NIfTI files', async () => {
    const dir = path.join(tmp.dir, 'folder');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'sub', 'a b.nii.gz'), readFileSync(path.join(petct, 'patient_0000', 'seg.nii.gz')));
    const v = await startViewer(dir, { pageDir: page });
    try {
      const info = await getJson(v.port, '/api/info');
      expect(info.files).toEqual(['sub/a b.nii.gz']);
      expect((await rawGet(v.port, '/files/sub/a%20b.nii.gz')).status).toBe(200);
    } finally {
      await v.close();
    }
  });

  it('refuses a path that is not a dataset, cohort or NIfTI file', async () => {
    await expect(startViewer(path.join(tmp.dir, 'missing'), { pageDir: page })).rejects.toThrow(/does not exist/);
    await expect(startViewer(secret, { pageDir: page })).rejects.toThrow(/not a NIfTI file/);
    await expect(startViewer(page, { pageDir: page })).rejects.toThrow(/neither/);
  });

  it('CLI: `medsynth view` prints its URL, serves, and stops on SIGTERM; bad flags exit 2', async () => {
    buildViewerPage(path.join(ROOT, 'dist', 'viewer')); // the CLI serves the package's own build
    const child = spawn(process.execPath, [BIN, 'view', anatomy], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const port = Number(new URL(url).port);
    expect((await getJson(port, '/api/info')).kind).toBe('anatomy');
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);

    const { medsynth } = await import('./helpers/cli.js');
    for (const args of [['view', anatomy, '--host', '0.0.0.0'], ['view', anatomy, '--port', '70000'], ['view'], ['view', path.join(tmp.dir, 'missing')]]) {
      const r = medsynth(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 120_000);
});
