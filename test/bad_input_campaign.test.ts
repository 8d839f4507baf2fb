// Issue 11: the bad-input campaign as a suite. Hundreds of bad or edge inputs over the API and
// the CLI; each must end in a coded error (MedsynthError with a code, or a one-line
// `medsynth: error [...]` and exit status 1/2) or a correct result, with the process alive and no
// file under a final name. The CLI cases run in batches inside one child (runCli in-process, as
// bin/medsynth.js calls it), plus a few real spawns of the entry point.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  MedsynthError, addNoise, applyBiasField, binaryCrossEntropyLoss, castToInt16, castToUint8, clamp, concordanceIndex, coxLoss,
  cropBox, expectedCalibrationError, findNonFinite, focalTverskyLoss, gaussianBlur, generateDataset, generatePetCtDataset,
  generateSample, labelBounds, labelMaskBox, normalNoise, openDataset, rasterize, rescale, segmentationMetrics, softDiceLoss,
  uncertaintyErrorCorrelation, windowLevel,
} from '../lib/index.js';
import { writeClinicalDataset, ClinicalSynth } from '../lib/index.js';
import { BIN, ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const counts = { api: 0, cli: 0, spawned: 0 };
// Created while the cases are collected (their output directories live in it).
const tmp = tempDir('medsynth-campaign-');
afterAll(() => {
  const total = counts.api + counts.cli + counts.spawned;
  const line = `bad-input campaign: ${total} cases (API ${counts.api}, CLI ${counts.cli} in-process + ${counts.spawned} spawned)`;
  console.log(line);
  if (process.env.MEDSYNTH_CAMPAIGN_REPORT) writeFileSync(process.env.MEDSYNTH_CAMPAIGN_REPORT, line + '\n');
  tmp.cleanup();
});

// Values that are wrong for almost any argument.
const badValues: Array<[string, unknown]> = [
  ['undefined', undefined], ['null', null], ['NaN', NaN], ['Infinity', Infinity], ['-1', -1], ['string', 'x'],
  ['object', {}], ['array', []], ['1e12', 1e12], ['bigint', 5n], ['function', () => 1], ['symbol', Symbol('s')],
];
const n = 4 * 5 * 6;
const f32 = () => new Float32Array(n).fill(1);
const ResizableBuffer = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer;
const resizable = () => new Float32Array(new ResizableBuffer(n * 4, { maxByteLength: n * 8 }));
const badArrays: Array<[string, () => unknown]> = [
  ['Float64Array', () => new Float64Array(n)], ['short', () => new Float32Array(n - 1)], ['Int16Array', () => new Int16Array(n)],
  ['plain array', () => Array(n).fill(0)], ['resizable', resizable], ['DataView', () => new DataView(new ArrayBuffer(n * 4))],
];

interface ApiCase { name: string; run: () => Promise<unknown>; dir?: string; ok?: (r: unknown) => boolean }
const apiCases: ApiCase[] = [];

// Kernels: each argument replaced by each bad value (the others valid).
type Kernel = { name: string; args: () => unknown[]; call: (...a: unknown[]) => Promise<unknown> };
const dims = [4, 5, 6];
const kernels: Kernel[] = [
  { name: 'gaussianBlur', args: () => [f32(), dims, { sigma: 1 }], call: (a, b, c) => gaussianBlur(a as never, b as never, c as never) },
  { name: 'addNoise', args: () => [f32(), { kind: 'gaussian', sigma: 1, seed: 1 }], call: (a, b) => addNoise(a as never, b as never) },
  { name: 'applyBiasField', args: () => [f32(), dims, { order: 1, coefficients: [0.1, 0.1, 0.1, 0.1] }], call: (a, b, c) => applyBiasField(a as never, b as never, c as never) },
  { name: 'castToUint8', args: () => [f32(), { scale: 1, offset: 0 }], call: (a, b) => castToUint8(a as never, b as never) },
  { name: 'castToInt16', args: () => [f32(), { scale: 1, offset: 0 }], call: (a, b) => castToInt16(a as never, b as never) },
  { name: 'windowLevel', args: () => [f32(), { center: 0, width: 10 }], call: (a, b) => windowLevel(a as never, b as never) },
  { name: 'rescale', args: () => [f32(), { scale: 2, offset: 1 }], call: (a, b) => rescale(a as never, b as never) },
  { name: 'clamp', args: () => [f32(), 0, 1], call: (a, b, c) => clamp(a as never, b as never, c as never) },
  { name: 'normalNoise', args: () => [n, { seed: 1 }], call: (a, b) => normalNoise(a as never, b as never) },
  { name: 'findNonFinite', args: () => [f32()], call: (a) => findNonFinite(a as never) },
  { name: 'labelBounds', args: () => [new Uint8Array(n), dims, 3], call: (a, b, c) => labelBounds(a as never, b as never, c as never) },
  { name: 'labelMaskBox', args: () => [new Uint8Array(n), dims, [0, 0, 0, 2, 2, 2], 1], call: (a, b, c, d) => labelMaskBox(a as never, b as never, c as never, d as never) },
  { name: 'cropBox', args: () => [f32(), dims, [0, 0, 0, 2, 2, 2]], call: (a, b, c) => cropBox(a as never, b as never, c as never) },
  {
    name: 'rasterize',
    args: () => [[{ type: 'ellipsoid', center: [2, 2, 3], radii: [1, 1, 1], label: 1, intensity: 1 }], { dims, labels: new Uint8Array(n) }],
    call: (a, b) => rasterize(a as never, b as never),
  },
  {
    name: 'coxLoss',
    args: () => [new Float64Array([0.1, 0.2, 0.3]), new Float64Array([1, 2, 3]), new Uint8Array([1, 0, 1])],
    call: (a, b, c) => coxLoss(a as never, b as never, c as never),
  },
  { name: 'softDiceLoss', args: () => [new Float32Array(8).fill(0.5), new Uint8Array(8), [2, 4]], call: (a, b, c) => softDiceLoss(a as never, b as never, c as never) },
  { name: 'binaryCrossEntropyLoss', args: () => [new Float32Array(8).fill(0.5), new Uint8Array(8), [2, 4]], call: (a, b, c) => binaryCrossEntropyLoss(a as never, b as never, c as never) },
  { name: 'focalTverskyLoss', args: () => [new Float32Array(8).fill(0.5), new Uint8Array(8), [2, 4]], call: (a, b, c) => focalTverskyLoss(a as never, b as never, c as never) },
  { name: 'segmentationMetrics', args: () => [new Uint8Array(8), new Uint8Array(8), [2, 4]], call: (a, b, c) => segmentationMetrics(a as never, b as never, c as never) },
  {
    name: 'concordanceIndex',
    args: () => [new Float64Array([0.1, 0.5, 0.3]), new Float64Array([1, 2, 3]), new Uint8Array([1, 1, 0])],
    call: (a, b, c) => concordanceIndex(a as never, b as never, c as never),
  },
  { name: 'expectedCalibrationError', args: () => [new Float32Array([0.2, 0.8]), new Uint8Array([0, 1])], call: (a, b) => expectedCalibrationError(a as never, b as never) },
  { name: 'uncertaintyErrorCorrelation', args: () => [new Float64Array([1, 2, 3]), new Float64Array([1, 3, 2])], call: (a, b) => uncertaintyErrorCorrelation(a as never, b as never) },
];
for (const k of kernels) {
  const arity = k.args().length;
  for (let pos = 0; pos < arity; pos++) {
    for (const [label, value] of badValues) {
      // An options object left out may legitimately take defaults; everything else must be refused.
      apiCases.push({ name: `${k.name} arg${pos}=${label}`, run: () => { const a = k.args(); a[pos] = value; return k.call(...a); } });
    }
    const sample = k.args()[pos];
    if (ArrayBuffer.isView(sample)) {
      for (const [label, make] of badArrays) {
        apiCases.push({ name: `${k.name} arg${pos}=${label}`, run: () => { const a = k.args(); a[pos] = make(); return k.call(...a); } });
      }
    }
  }
}
// Non-finite inputs where a kernel would spread them.
for (const v of [NaN, Infinity, -Infinity]) {
  const x = () => { const a = f32(); a[7] = v; return a; };
  apiCases.push({ name: `gaussianBlur input ${v}`, run: () => gaussianBlur(x(), dims as never, { sigma: 1 }) });
  apiCases.push({ name: `addNoise input ${v}`, run: () => addNoise(x(), { kind: 'rician', sigma: 1, seed: 1 }) });
  apiCases.push({ name: `applyBiasField input ${v}`, run: () => applyBiasField(x(), dims as never, { order: 0, coefficients: [0] }) });
}

// Dataset writers: each option replaced by each bad value; nothing may appear under a final name.
const datasetBase = { imageSize: [8, 8, 8], totalSamples: 3, seed: 1 };
const datasetKeys = ['imageSize', 'totalSamples', 'seed', 'validationSplit', 'testSplit', 'dtype', 'masks', 'gzipLevel', 'threads', 'device',
  'positionNoise', 'sizeNoise', 'intensityNoise', 'spacing', 'artifacts', 'structures', 'scenarios', 'outputDir'];
let caseNo = 0;
const caseDir = () => path.join(tmp.dir, `api-${++caseNo}`);
for (const key of datasetKeys) {
  // A string is a valid outputDir (it would write into the working directory): not a bad value there.
  for (const [label, value] of badValues.filter(([l]) => l !== 'undefined' && !(key === 'outputDir' && l === 'string'))) {
    const dir = caseDir();
    apiCases.push({ name: `generateDataset ${key}=${label}`, dir, run: () => generateDataset({ ...datasetBase, outputDir: dir, [key]: value } as never) });
  }
}
for (const key of ['size', 'totalsamples', 'outputdir', 'gzip', 'thread', 'mask', 'seeds', 'imageSize2']) {
  const dir = caseDir();
  apiCases.push({ name: `generateDataset unknown key ${key}`, dir, run: () => generateDataset({ ...datasetBase, outputDir: dir, [key]: 1 } as never) });
}
for (const [label, value] of badValues) {
  apiCases.push({ name: `generateSample index=${label}`, run: () => generateSample({ imageSize: [8, 8, 8] }, value as never) });
  apiCases.push({ name: `generateSample options=${label}`, run: () => generateSample(value as never, 0) });
  const dir = caseDir();
  apiCases.push({ name: `generatePetCtDataset patients=${label}`, dir, run: () => generatePetCtDataset({ outputDir: dir, patients: value, imageSize: [16, 16, 16] } as never) });
  const dir2 = caseDir();
  apiCases.push({ name: `writeClinicalDataset n=${label}`, dir: dir2, run: () => writeClinicalDataset(new ClinicalSynth({ H: 16, W: 16 }), { outputDir: dir2, n: value } as never) });
}
{
  const dir = caseDir();
  apiCases.push({ name: 'writeClinicalDataset n=0 (empty dataset)', dir, run: () => writeClinicalDataset(new ClinicalSynth({ H: 16, W: 16 }), { outputDir: dir, n: 0 }) });
}
for (const dir of ['/dev/null', '/proc/medsynth-campaign', '', '/dev/null/x']) {
  apiCases.push({ name: `generateDataset outputDir=${dir || "''"}`, run: () => generateDataset({ ...datasetBase, outputDir: dir } as never) });
}
apiCases.push({ name: 'openDataset of a missing directory', run: () => openDataset(path.join(tmp.dir, 'nope')) });
apiCases.push({ name: 'openDataset of an empty directory', run: () => { const d = caseDir(); mkdirSync(d); return openDataset(d); } });

const FINAL_NAMES = /^(train|val|test|clinical)\.(h5|csv)$|^metadata\.json$|^examples\.png$/;

describe('bad-input campaign: API', () => {
  it(`${apiCases.length} cases end in a coded error (or a correct result), nothing under a final name`, async () => {
    const failures: string[] = [];
    for (const c of apiCases) {
      counts.api++;
      let error: unknown;
      let result: unknown;
      try {
        result = await c.run();
      } catch (e) {
        error = e;
      }
      if (error === undefined) {
        // Accepted: only where a value is legitimately valid (an omitted options object). Must be a result.
        if (result === undefined) failures.push(`${c.name}: resolved without a result`);
        continue;
      }
      if (!(error instanceof MedsynthError) || typeof error.code !== 'string') failures.push(`${c.name}: not coded: ${String(error)}`);
      else if (error.message.includes('\n')) failures.push(`${c.name}: multi-line message`);
      if (c.dir && existsSync(c.dir)) {
        const finals = readdirSync(c.dir).filter((f) => FINAL_NAMES.test(f) || f.startsWith('.medsynth') || f.endsWith('.tmp'));
        if (finals.length) failures.push(`${c.name}: left ${finals.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(apiCases.length).toBeGreaterThanOrEqual(300);
  });
});

// CLI: each flag with each bad value, on a tiny valid base so an accepted value runs quickly.
const cliBad = ['', 'abc', 'NaN', 'Infinity', '1e309', '-1', '1,2', '99999999999'];
interface CliCase { id: number; argv: string[]; dir: string; kind: string }
function cliCases(): CliCase[] {
  const cases: CliCase[] = [];
  let id = 0;
  const add = (kind: string, make: (dir: string) => string[]) => {
    const dir = path.join(tmp.dir, `cli-${++id}`);
    cases.push({ id, argv: make(dir), dir, kind });
  };
  const generateBase = (dir: string) => ['generate', '--image-size', '8,8,8', '--total-samples', '3', '--output-dir', dir, '--skip-training-test', '--skip-visualization'];
  const generateFlags = ['image-size', 'total-samples', 'validation-split', 'test-split', 'position-noise', 'size-noise', 'intensity-noise', 'seed',
    'threads', 'device', 'masks', 'dtype', 'compression', 'spacing', 'blur', 'bias', 'noise-kind', 'noise-sigma', 'preview-index'];
  for (const flag of generateFlags) for (const v of cliBad) add('generate', (dir) => [...generateBase(dir), `--${flag}`, v]);
  const petctBase = (dir: string) => ['petct', '--out', dir, '--patients', '1', '--size', '16,16,16', '--no-preview'];
  for (const flag of ['patients', 'size', 'spacing', 'seed', 'first', 'censoring', 'follow-up', 'ct-noise', 'pet-fwhm', 'pet-counts', 'gzip-level', 'threads']) {
    for (const v of cliBad) add('petct', (dir) => [...petctBase(dir), `--${flag}`, v]);
  }
  const clinicalBase = (dir: string) => ['clinical', '--out', dir, '--n', '2', '--size', '16,16', '--skip-preview'];
  for (const flag of ['n', 'size', 'seed', 'batch', 'gzip', 'threads', 'splits', 'config']) for (const v of cliBad) add('clinical', (dir) => [...clinicalBase(dir), `--${flag}`, v]);
  // Unknown and misspelt flags, stray arguments, unknown commands.
  for (const argv of [['generat'], ['generate', '--outputdir', 'x'], ['generate', '--total-sample', '2'], ['petct', '--patient', '2'], ['clinical', '--sizes', '8,8'],
    ['preview'], ['preview', 'a', 'b'], ['generate', 'stray'], ['petct'], ['generate', '--threads'], ['--nope'], ['preview', '--index', '-1', 'x']]) {
    add('misc', () => argv);
  }
  // Output paths that are not directories, or cannot be created.
  for (const out of ['/dev/null', '/proc/medsynth-cli', path.join(ROOT, 'package.json'), 'x'.repeat(5000)]) {
    add('generate', () => ['generate', '--image-size', '8,8,8', '--total-samples', '2', '--output-dir', out, '--skip-training-test', '--skip-visualization']);
    add('petct', () => ['petct', '--out', out, '--patients', '1', '--size', '16,16,16', '--no-preview']);
    add('clinical', () => ['clinical', '--out', out, '--n', '2', '--size', '16,16', '--skip-preview']);
  }
  // preview: out of range, overwriting the dataset's own files, missing datasets.
  add('preview', (dir) => ['preview', dir]);
  add('preview', () => ['preview', '/dev/null']);
  return cases;
}

describe('bad-input campaign: CLI', () => {
  it('every case exits 1/2 with one coded line (or succeeds with a readable dataset) and leaves no final-name file on failure', () => {
    const cases = cliCases();
    const file = path.join(tmp.dir, 'cli-cases.json');
    writeFileSync(file, JSON.stringify(cases));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'test', 'reliability', 'cli_campaign_child.mjs'), file], {
      cwd: tmp.dir, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20,
    });
    const lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect({ status: r.status, signal: r.signal, last: lines.at(-1) }, r.stderr.slice(-2000)).toEqual({ status: 0, signal: null, last: { done: true } });
    const failures: string[] = [];
    for (const out of lines.slice(0, -1)) {
      counts.cli++;
      const c = cases.find((k) => k.id === out.id)!;
      const label = `${c.argv.join(' ')}`.slice(0, 160);
      if (out.thrown) failures.push(`${label}: runCli threw ${out.thrown}`);
      else if (out.code === 0) {
        if (c.kind === 'generate' && out.opens !== true) failures.push(`${label}: exit 0 but the dataset does not open (${out.opens})`);
        if ((c.kind === 'petct' || c.kind === 'clinical') && !out.files.includes('metadata.json')) failures.push(`${label}: exit 0 without metadata.json`);
      } else {
        if (out.code !== 1 && out.code !== 2) failures.push(`${label}: exit ${out.code}`);
        const errLines = out.stderr.split('\n').filter((l: string) => l.startsWith('medsynth: error') || l.startsWith('medsynth: unexpected'));
        if (errLines.length !== 1 || !/^medsynth: error( \[[A-Z_]+\])?: /.test(errLines[0])) failures.push(`${label}: stderr ${JSON.stringify(out.stderr.slice(0, 300))}`);
        if (/\n\s+at /.test(out.stderr)) failures.push(`${label}: stack trace without --verbose`);
        const finals = out.files.filter((f: string) => FINAL_NAMES.test(f) || f.startsWith('.medsynth') || f.endsWith('.tmp'));
        if (finals.length) failures.push(`${label}: left ${finals.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(counts.cli).toBeGreaterThanOrEqual(300);
  });

  it('a few real spawns of the entry point agree (exit status, one coded line, no stack)', () => {
    const runs: Array<[string[], number, RegExp]> = [
      [['generate', '--total-samples', 'abc'], 2, /--total-samples must be an integer/],
      [['generate', '--output-dir', '/dev/null', '--image-size', '8,8,8', '--total-samples', '2'], 1, /\[NOT_A_DIRECTORY\]/],
      [['petct', '--patient', '3', '--out', 'x'], 2, /did you mean --patients/],
      [['clinical', '--n', '0', '--out', path.join(tmp.dir, 'c0')], 2, /--n must be >= 1/],
      [['preview', path.join(tmp.dir, 'no-dataset')], 1, /\[INCOMPLETE_DATASET\]|\[IO_ERROR\]/],
    ];
    for (const [argv, status, pattern] of runs) {
      counts.spawned++;
      const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(status);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
