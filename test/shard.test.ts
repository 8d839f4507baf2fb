/**
 * Sharded runs (issue 17): `--shard k/N|auto`, `medsynth merge`, `--dry-run` and the shipped
 * Kubernetes / SLURM examples. Shards run as parallel child processes, as a cluster runs them;
 * merged sets must hold the same bytes as the unsharded run, read by the Node reader and h5py.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { openDataset } from '../lib/datasets/reader.js';
import { parseShard, shardFromEnvironment } from '../lib/shard/spec.js';
import { shardBlock } from '../lib/shard/partition.js';
import { mergeShards } from '../lib/shard/merge.js';
import { BIN, CHILD_TIMEOUT_MS, medsynth, ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const PYTHON = '/usr/bin/python3';
const hasH5py = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import h5py'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasH5py) console.warn(`shard.test: ${PYTHON} with h5py is absent; the h5py comparisons are skipped (apt-get install python3-h5py)`);

/** Runs `medsynth args` in a child process without blocking, so several run at once. */
function medsynthAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', ...env }, timeout: CHILD_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function allOk(runs: Array<Promise<{ status: number | null; stderr: string }>>): Promise<void> {
  for (const r of await Promise.all(runs)) expect(r.status, r.stderr).toBe(0);
}

/** Every file under dir, relative, sorted. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix)).sort().flatMap((name) => {
    const rel = path.join(prefix, name);
    return statSync(path.join(dir, rel)).isDirectory() ? tree(dir, rel) : [rel];
  });
}

/** metadata.json without file_bytes (HDF5 files of equal datasets may differ in layout bytes). */
const metadataOf = (dir: string) => {
  const m = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
  delete m.file_bytes;
  return m;
};

function h5pyDifferences(pairs: Array<[string, string]>): { compared: string[]; differences: string[] } {
  const out = execFileSync(PYTHON, [path.join(ROOT, 'test', 'helpers', 'compare_h5.py'), ...pairs.flat()], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  return JSON.parse(out);
}

describe('--shard k/N and --shard auto', () => {
  it('parses k/N and refuses malformed or inconsistent values with one line', () => {
    expect(parseShard('2/5', undefined, {})).toMatchObject({ index: 2, count: 5, source: 'flag' });
    expect(parseShard(undefined, undefined, {})).toBeUndefined();
    for (const [value, message] of [['5/5', /not below the shard count 5/], ['1/0', /at least 1/], ['a/3', /non-negative integer/], ['1.5/3', /non-negative integer/], ['-1/3', /non-negative integer/], ['3', /k\/N/]] as const) {
      expect(() => parseShard(value, undefined, {})).toThrow(message);
    }
    expect(() => parseShard('1/3', '3', {})).toThrow(/only used with --shard auto/);
  });

  it('reads a Kubernetes Indexed Job', () => {
    expect(shardFromEnvironment('4', { JOB_COMPLETION_INDEX: '3' })).toMatchObject({ index: 3, count: 4, source: 'kubernetes' });
    expect(shardFromEnvironment(undefined, { JOB_COMPLETION_INDEX: '0', JOB_COMPLETIONS: '2' })).toMatchObject({ index: 0, count: 2 });
    expect(() => shardFromEnvironment(undefined, { JOB_COMPLETION_INDEX: '1' })).toThrow(/shard count is unknown/);
    expect(() => shardFromEnvironment('3', { JOB_COMPLETION_INDEX: '1', JOB_COMPLETIONS: '4' })).toThrow(/disagrees/);
    expect(() => shardFromEnvironment('4', { JOB_COMPLETION_INDEX: '4' })).toThrow(/not below/);
    expect(() => shardFromEnvironment('4', { JOB_COMPLETION_INDEX: 'x' })).toThrow(/JOB_COMPLETION_INDEX must be a non-negative integer/);
  });

  it('reads a SLURM job array, offset task ids included', () => {
    expect(shardFromEnvironment(undefined, { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '8' })).toMatchObject({ index: 2, count: 8, source: 'slurm' });
    expect(shardFromEnvironment(undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '4' })).toMatchObject({ index: 2, count: 4 });
    expect(() => shardFromEnvironment(undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '6', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/stepped or sparse/);
    expect(() => shardFromEnvironment(undefined, { SLURM_ARRAY_TASK_ID: '2' })).toThrow(/SLURM_ARRAY_TASK_COUNT/);
    expect(() => shardFromEnvironment(undefined, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '2' })).toThrow(/below SLURM_ARRAY_TASK_MIN/);
    expect(() => shardFromEnvironment(undefined, {})).toThrow(/neither JOB_COMPLETION_INDEX .* nor SLURM_ARRAY_TASK_ID/);
    expect(() => shardFromEnvironment('2', { JOB_COMPLETION_INDEX: '0', SLURM_ARRAY_TASK_ID: '0' })).toThrow(/both/);
  });

  it('partitions every index exactly once, in order, in blocks that differ by at most one', () => {
    for (const [first, count, N] of [[0, 10, 3], [7, 5, 5], [100, 1, 1], [3, 1000, 7]]) {
      const blocks = Array.from({ length: N }, (_, k) => shardBlock({ first, count }, { index: k, count: N }));
      expect(blocks[0].first).toBe(first);
      blocks.forEach((b, k) => k > 0 && expect(b.first).toBe(blocks[k - 1].first + blocks[k - 1].count));
      expect(blocks.reduce((a, b) => a + b.count, 0)).toBe(count);
      const sizes = blocks.map((b) => b.count);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('medsynth generate --shard + merge (anatomy)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const d = (name: string) => path.join(tmp.dir, name);
  const common = ['--total-samples', '11', '--image-size', '16,24,24', '--masks', 'both', '--compression', 'gzip:2', '--seed', '5', '--skip-visualization', '--skip-training-test'];

  beforeAll(async () => {
    // The unsharded run and three shards at once; shard 1 finds itself through Kubernetes'
    // variables, shard 2 through a SLURM array whose task ids start at 1.
    await allOk([
      medsynthAsync(['generate', ...common, '--output-dir', d('full')]),
      medsynthAsync(['generate', ...common, '--output-dir', d('s0'), '--shard', '0/3']),
      medsynthAsync(['generate', ...common, '--output-dir', d('s1'), '--shard', 'auto', '--shard-count', '3'], { JOB_COMPLETION_INDEX: '1' }),
      medsynthAsync(['generate', ...common, '--output-dir', d('s2'), '--shard', 'auto'], { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3', SLURM_ARRAY_TASK_COUNT: '3' }),
    ]);
    // In process: the CLI's merge is the same call (its messages are checked below).
    await mergeShards([d('s2'), d('s0'), d('s1')], d('merged'));
  });

  it('each shard is a complete dataset holding its block of every split, with its manifest', async () => {
    for (const k of [0, 1, 2]) {
      const manifest = JSON.parse(readFileSync(path.join(d(`s${k}`), 'shard.json'), 'utf8'));
      expect(manifest.shard).toEqual({ index: k, count: 3 });
      expect(manifest.splits.train.run).toEqual({ first: 0, count: 8 }); // 11 - round(2.2) - round(1.1)
      for (const f of manifest.files) expect(statSync(path.join(d(`s${k}`), f.name)).size).toBe(f.bytes);
      const ds = await openDataset(d(`s${k}`), { split: 'train' });
      const block = shardBlock({ first: 0, count: 8 }, { index: k, count: 3 });
      expect(ds.length).toBe(block.count);
      expect(ds.get(0).sampleIndex).toBe(block.first);
      ds.close();
    }
  });

  it('the merged set, and the shard list opened in place, read the same as the unsharded run (Node reader)', async () => {
    expect(metadataOf(d('merged'))).toEqual(metadataOf(d('full')));
    for (const split of ['train', 'val', 'test'] as const) {
      const full = await openDataset(d('full'), { split });
      const merged = await openDataset(d('merged'), { split });
      const inPlace = await openDataset([d('s1'), d('s0'), d('s2')], { split });
      expect(merged.length).toBe(full.length);
      expect(inPlace.length).toBe(full.length);
      expect(inPlace.scenarioCounts()).toEqual(full.scenarioCounts());
      for (let i = 0; i < full.length; i++) {
        const want = full.get(i);
        for (const got of [merged.get(i), inPlace.get(i)]) {
          expect(got.sampleIndex).toBe(want.sampleIndex);
          expect(got.scenario).toBe(want.scenario);
          expect(Buffer.from(got.image.buffer, got.image.byteOffset, got.image.byteLength).equals(Buffer.from(want.image.buffer, want.image.byteOffset, want.image.byteLength))).toBe(true);
          expect(Buffer.from(got.masks!).equals(Buffer.from(want.masks!))).toBe(true);
          expect(Buffer.from(got.labels!).equals(Buffer.from(want.labels!))).toBe(true);
          expect(Array.from(got.presence)).toEqual(Array.from(want.presence));
        }
      }
      for (const ds of [full, merged, inPlace]) ds.close();
    }
  });

  it.skipIf(!hasH5py)('h5py reads every dataset and attribute of the merged files equal to the unsharded ones', () => {
    const r = h5pyDifferences((['train', 'val', 'test'] as const).map((s) => [path.join(d('full'), `${s}.h5`), path.join(d('merged'), `${s}.h5`)]));
    expect(r.differences).toEqual([]);
    expect(r.compared.length).toBe(18); // 6 datasets × 3 splits
  });

  it('refuses a missing or doubled shard, naming it and its sample indices, and writes nothing', async () => {
    const out = d('refused');
    const missing = medsynth(['merge', d('s0'), d('s2'), '--output-dir', out]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/SHARD_MISSING.*missing shard 1\/3 \(train indices 2\.\.4, val indices 8\.\.8\)/);
    await expect(mergeShards([d('s0'), d('s1'), d('s1'), d('s2')], out)).rejects.toThrow(/shard 1\/3 \(train indices 2\.\.4, val indices 8\.\.8\) is given twice/);
    await expect(mergeShards([d('s1')], out)).rejects.toThrow(/missing shards 0\/3 \(train indices 0\.\.1\), 2\/3 \(train indices 5\.\.7, val indices 9\.\.9, test indices 10\.\.10\)/);
    expect(existsSync(out)).toBe(false);
    // Opening shards in place checks them the same way.
    await expect(openDataset([d('s0'), d('s2')])).rejects.toMatchObject({ code: 'SHARD_MISSING' });
  });

  it('refuses a shard file with one flipped byte, naming the shard, the file and both digests, and writes nothing', () => {
    const bad = d('flipped');
    cpSync(d('s1'), bad, { recursive: true });
    const file = path.join(bad, 'train.h5');
    const bytes = readFileSync(file);
    const want = createHash('sha256').update(bytes).digest('hex');
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(file, bytes);
    const got = createHash('sha256').update(bytes).digest('hex');
    const out = d('refused-flip');
    const r = medsynth(['merge', d('s0'), bad, d('s2'), '--output-dir', out]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`SHARD_CORRUPT`);
    expect(r.stderr).toContain(`${file}: SHA-256 expected ${want.slice(0, 12)}…, found ${got.slice(0, 12)}…`);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a truncated, a missing or an unlisted shard file (sizes first, before any hashing) and writes nothing', async () => {
    const out = d('refused-size');
    const cut = d('truncated');
    cpSync(d('s2'), cut, { recursive: true });
    const file = path.join(cut, 'val.h5');
    const size = statSync(file).size;
    truncateSync(file, size - 100);
    await expect(mergeShards([d('s0'), d('s1'), cut], out)).rejects.toMatchObject({
      code: 'SHARD_CORRUPT',
      message: expect.stringContaining(`${file}: expected ${size} bytes, found ${size - 100} (truncated)`),
    });
    rmSync(path.join(cut, 'test.h5'));
    await expect(mergeShards([d('s0'), d('s1'), cut], out)).rejects.toThrow(`${path.join(cut, 'test.h5')} is missing (listed in shard.json)`);
    // A manifest that no longer lists a file merge reads: that file could not be verified.
    const unlisted = d('unlisted');
    cpSync(d('s0'), unlisted, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(unlisted, 'shard.json'), 'utf8'));
    writeFileSync(path.join(unlisted, 'shard.json'), JSON.stringify({ ...manifest, files: manifest.files.filter((f: { name: string }) => f.name !== 'train.h5') }));
    await expect(mergeShards([unlisted, d('s1'), d('s2')], out)).rejects.toThrow(`${path.join(unlisted, 'train.h5')} is not listed in its shard.json`);
    // Every medsynth shard.json records a SHA-256 per file; one without is refused, not merged unchecked.
    writeFileSync(path.join(unlisted, 'shard.json'), JSON.stringify({ ...manifest, files: manifest.files.map((f: { name: string; bytes: number }) => ({ name: f.name, bytes: f.bytes })) }));
    await expect(mergeShards([unlisted, d('s1'), d('s2')], out)).rejects.toMatchObject({ code: 'NOT_A_SHARD', message: expect.stringMatching(/malformed file entry .*bytes and sha256/) });
    writeFileSync(path.join(unlisted, 'shard.json'), JSON.stringify({ ...manifest, files: [...manifest.files, { name: '../s1/train.h5', bytes: 1, sha256: '0'.repeat(64) }] }));
    await expect(mergeShards([unlisted, d('s1'), d('s2')], out)).rejects.toMatchObject({ code: 'NOT_A_SHARD' });
    expect(existsSync(out)).toBe(false);
  });

  it('refuses shards of another run, a directory that is not a shard, and --mode virtual (h5wasm cannot create virtual datasets)', async () => {
    const other = d('other');
    cpSync(d('s1'), other, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(other, 'shard.json'), 'utf8'));
    writeFileSync(path.join(other, 'shard.json'), JSON.stringify({ ...manifest, options_hash: '0'.repeat(64) }));
    await expect(mergeShards([d('s0'), other, d('s2')], d('refused'))).rejects.toMatchObject({ code: 'SHARD_MISMATCH', message: expect.stringMatching(/options_hash/) });
    await expect(mergeShards([d('full')], d('refused'))).rejects.toMatchObject({ code: 'NOT_A_SHARD' });
    await expect(mergeShards([d('s0'), d('s1'), d('s2')], d('s1'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/is one of the shards/) });
    const v = medsynth(['merge', d('s0'), d('s1'), d('s2'), '--output-dir', d('refused'), '--mode', 'virtual']);
    expect(v.status).toBe(2);
    expect(v.stderr).toMatch(/h5wasm 0\.10\.3 cannot create HDF5 virtual datasets/);
    expect(existsSync(d('refused'))).toBe(false);
  });
});

describe('medsynth petct / clinical --shard + merge', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const d = (name: string) => path.join(tmp.dir, name);

  it('PET/CT: merged patients, NIfTI files, CSVs and metadata.json are byte-identical to the unsharded run', async () => {
    const common = ['--patients', '6', '--size', '16,24,24', '--no-preview', '--seed', '3', '--threads', '1'];
    // Three shards as three processes beside the unsharded run: one by k/N, one by a Kubernetes
    // Indexed Job's variables, one by a SLURM array's.
    await allOk([
      medsynthAsync(['petct', ...common, '--out', d('pfull')]),
      medsynthAsync(['petct', ...common, '--out', d('p0'), '--shard', '0/3']),
      medsynthAsync(['petct', ...common, '--out', d('p1'), '--shard', 'auto'], { JOB_COMPLETION_INDEX: '1', JOB_COMPLETIONS: '3' }),
      medsynthAsync(['petct', ...common, '--out', d('p2'), '--shard', 'auto'], { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3' }),
    ]);
    expect(readFileSync(path.join(d('p1'), 'clinical.csv'), 'utf8').split('\n')[1]).toMatch(/^patient_0002,/);
    expect(readFileSync(path.join(d('p2'), 'clinical.csv'), 'utf8').split('\n')[1]).toMatch(/^patient_0004,/);
    // Files a manifest does not list are ignored, and never carried into the merged set.
    writeFileSync(path.join(d('p1'), 'patient_0002', 'notes.txt'), 'not part of the run\n');
    writeFileSync(path.join(d('p1'), 'slurm-42_1.out'), 'a scheduler log beside the shard\n');
    const r = medsynth(['merge', d('p2'), d('p1'), d('p0'), '--output-dir', d('pmerged')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/merged patients 6/);
    const files = tree(d('pfull'));
    expect(files.filter((f) => f.endsWith('.nii.gz'))).toHaveLength(18);
    expect(tree(d('pmerged'))).toEqual(files);
    for (const f of files) expect(readFileSync(path.join(d('pmerged'), f)).equals(readFileSync(path.join(d('pfull'), f))), f).toBe(true);
    // A patient's NIfTI file altered after the shard was written: named, and nothing merged.
    const nifti = path.join(d('p0'), 'patient_0001', 'pet.nii.gz');
    const bytes = readFileSync(nifti);
    bytes[bytes.length - 1] ^= 0x80;
    writeFileSync(nifti, bytes);
    await expect(mergeShards([d('p0'), d('p1'), d('p2')], d('prefused'))).rejects.toMatchObject({ code: 'SHARD_CORRUPT', message: expect.stringContaining(`${nifti}: SHA-256 expected`) });
    expect(existsSync(d('prefused'))).toBe(false);
  });

  it('clinical --splits: every part merges to the unsharded datasets, CSVs and metadata', async () => {
    const common = ['--splits', '5,3,3', '--size', '24,24', '--gzip', '1', '--threads', '1'];
    await allOk([
      medsynthAsync(['clinical', ...common, '--out', d('cfull')]),
      ...[0, 1].map((k) => medsynthAsync(['clinical', ...common, '--out', d(`c${k}`), '--shard', `${k}/2`])),
    ]);
    await mergeShards([d('c1'), d('c0')], d('cmerged'));
    expect(metadataOf(d('cmerged'))).toEqual(metadataOf(d('cfull')));
    for (const f of ['train.csv', 'val.csv', 'test.csv', 'examples.png']) {
      expect(readFileSync(path.join(d('cmerged'), f)).equals(readFileSync(path.join(d('cfull'), f))), f).toBe(true);
    }
    if (hasH5py) {
      const h = h5pyDifferences((['train', 'val', 'test'] as const).map((s) => [path.join(d('cfull'), `${s}.h5`), path.join(d('cmerged'), `${s}.h5`)]));
      expect(h.differences).toEqual([]);
      expect(h.compared.length).toBe(54); // images, tabular, y, sample_index and 14 truth/ datasets, × 3
    }
  });
});

describe('--dry-run and the deployment examples', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  const jobPath = path.join(ROOT, 'deploy', 'kubernetes', 'medsynth-generate-job.yaml');
  const docs = () => parseAllDocuments(readFileSync(jobPath, 'utf8')).map((doc) => doc.toJS());
  const mib = (q: string) => {
    const m = /^(\d+)(Mi|Gi)$/.exec(q);
    if (!m) throw new Error(`unexpected quantity ${q}`);
    return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
  };

  it('generate --dry-run prints the plan for one shard and writes nothing', () => {
    const out = path.join(tmp.dir, 'never');
    const r = medsynth(['generate', '--dry-run', '--total-samples', '10000', '--image-size', '128,128,64', '--compression', 'gzip:4', '--shard', '0/8', '--output-dir', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(r.stdout).toMatch(/shard 0\/8/);
    expect(r.stdout).toMatch(/train +875 samples \(global indices 0\.\.874\)/);
    expect(r.stdout).toMatch(/val +250 samples \(global indices 7000\.\.7249\)/);
    expect(r.stdout).toMatch(/disk +~[\d.]+ MiB \(rough estimate: gzip ratio/);
    expect(r.stdout).toMatch(/time +~/);
    // The Kubernetes example's memory request covers the peak this plan states for the same run.
    const peak = Number(/= ~([\d.]+) MiB peak/.exec(r.stdout)![1]);
    const job = docs().find((x) => x.kind === 'Job');
    expect(mib(job.spec.template.spec.containers[0].resources.requests.memory)).toBeGreaterThanOrEqual(peak);
  });

  it('petct and clinical --dry-run print one shard\'s rows and write nothing', () => {
    const out = path.join(tmp.dir, 'never-petct');
    const r = medsynth(['petct', '--dry-run', '--patients', '10', '--size', '16,24,24', '--shard', 'auto', '--out', out]);
    expect(r.status, r.stderr).toBe(2); // --shard auto outside a scheduler: one line, exit 2
    expect(r.stderr).toMatch(/neither JOB_COMPLETION_INDEX/);
    const ok = medsynth(['petct', '--dry-run', '--patients', '10', '--size', '16,24,24', '--shard', '2/3', '--out', out]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/patients +4 \(global indices 6\.\.9\)/);
    expect(ok.stdout).toMatch(/disk +~[\d.]+ MiB \(rough estimate/);
    const clinical = medsynth(['clinical', '--dry-run', '--n', '10', '--size', '24,24', '--shard', '1/2', '--out', out]);
    expect(clinical.status, clinical.stderr).toBe(0);
    expect(clinical.stdout).toMatch(/clinical +5 samples \(global indices 5\.\.9\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('the Kubernetes manifest is an Indexed Job whose pods run --shard auto over completions shards, on a shared volume', () => {
    const all = docs();
    const job = all.find((x) => x.kind === 'Job');
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.spec.completionMode).toBe('Indexed');
    const N = job.spec.completions;
    expect(N).toBeGreaterThan(1);
    expect(job.spec.parallelism).toBeGreaterThanOrEqual(1);
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const c = pod.containers[0];
    const command = [...c.command, ...c.args].join(' ');
    expect(command).toMatch(/medsynth generate .*--shard auto --shard-count (\d+)/);
    expect(Number(/--shard-count (\d+)/.exec(command)![1])).toBe(N);
    expect(command).toMatch(/--output-dir \/data\/\S*\$JOB_COMPLETION_INDEX/);
    for (const key of ['requests', 'limits']) expect(c.resources[key].memory).toMatch(/^\d+(Mi|Gi)$/);
    expect(mib(c.resources.limits.memory)).toBeGreaterThanOrEqual(mib(c.resources.requests.memory));
    const mount = c.volumeMounts[0];
    const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(mount.mountPath).toBe('/data');
    const claim = all.find((x) => x.kind === 'PersistentVolumeClaim');
    expect(volume.persistentVolumeClaim.claimName).toBe(claim.metadata.name);
    const merge = parseAllDocuments(readFileSync(path.join(ROOT, 'deploy', 'kubernetes', 'medsynth-merge-job.yaml'), 'utf8')).map((x) => x.toJS())[0];
    expect(merge.spec.template.spec.containers[0].args.join(' ')).toMatch(/medsynth merge \/data\/\S+ --output-dir/);
  });

  it('the SLURM scripts pass bash -n; the array is 0-(N-1) with memory and time, and merge waits for it', () => {
    const dir = path.join(ROOT, 'deploy', 'slurm');
    for (const f of ['medsynth-array.sbatch', 'submit.sh']) execFileSync('bash', ['-n', path.join(dir, f)]);
    const script = readFileSync(path.join(dir, 'medsynth-array.sbatch'), 'utf8');
    expect(script).toMatch(/^#SBATCH --array=0-\d+$/m);
    expect(script).toMatch(/^#SBATCH --mem=\d+[MG]$/m);
    expect(script).toMatch(/^#SBATCH --time=\d\d:\d\d:\d\d$/m);
    expect(script).toMatch(/medsynth generate[\s\S]*--shard auto/);
    const submit = readFileSync(path.join(dir, 'submit.sh'), 'utf8');
    expect(submit).toMatch(/--dependency="afterok:\$\{array_id\}"/);
    expect(submit).toMatch(/medsynth merge/);
  });
});
