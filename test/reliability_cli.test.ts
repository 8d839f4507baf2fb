// Issue 11: CLI refusals before work and the shared flag vocabulary. runCli is called in-process
// (as bin/medsynth.js does) with stdout/stderr captured.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateDataset, runCli } from '../lib/index.js';
import { tempDir } from './helpers/tmp.js';

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((c: unknown) => ((stdout += String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: unknown) => ((stderr += String(c)), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(argv), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

let tmp: ReturnType<typeof tempDir>;
let dataset: string;
beforeAll(async () => {
  tmp = tempDir('medsynth-relcli-');
  dataset = path.join(tmp.dir, 'ds');
  await generateDataset({ outputDir: dataset, imageSize: [16, 16, 16], totalSamples: 5, seed: 3 });
});
afterAll(() => tmp.cleanup());

describe('preview refuses before reading or writing', () => {
  it('--out over a dataset file, a directory or a device is refused; an earlier preview PNG may be replaced', async () => {
    const train = readFileSync(path.join(dataset, 'train.h5'));
    for (const target of [path.join(dataset, 'train.h5'), path.join(dataset, 'metadata.json'), dataset, '/dev/null']) {
      const r = await cli(['preview', dataset, '--out', target]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^medsynth: error \[OUTPUT_EXISTS\]: .* refusing to overwrite it/);
    }
    expect(readFileSync(path.join(dataset, 'train.h5')).equals(train)).toBe(true);
    const png = path.join(tmp.dir, 'p.png');
    expect((await cli(['preview', dataset, '--out', png])).code).toBe(0);
    expect((await cli(['preview', dataset, '--out', png, '--index', '1'])).code).toBe(0);
  });

  it('an index past the split is refused with the range', async () => {
    const r = await cli(['preview', dataset, '--index', '999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--index 999 is out of range: train holds \d+ samples/);
  });

  it('generate --preview-index past the train split is refused before anything is written', async () => {
    const dir = path.join(tmp.dir, 'never');
    const r = await cli(['generate', '--image-size', '8,8,8', '--total-samples', '10', '--output-dir', dir, '--preview-index', '999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--preview-index 999 is out of range: the train split will hold 7 samples/);
    expect(existsSync(dir)).toBe(false);
  });

  it('clinical --n 0 (an empty dataset) is refused', async () => {
    const dir = path.join(tmp.dir, 'empty');
    const r = await cli(['clinical', '--n', '0', '--out', dir]);
    expect(r.code).toBe(2);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('one flag vocabulary across subcommands', () => {
  it('generate accepts --out, --n and --size for its own --output-dir, --total-samples and --image-size', async () => {
    const dir = path.join(tmp.dir, 'aliases');
    const r = await cli(['generate', '--size', '8,8,8', '--n', '3', '--out', dir, '--skip-preview', '--skip-training-test']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir)).toContain('train.h5');
    expect(JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')).image_size).toEqual([8, 8, 8]);
  });

  it('petct and clinical accept --output-dir, --total-samples, --image-size; help lists the aliases', async () => {
    const help = await cli(['petct', '--help']);
    expect(help.stdout).toMatch(/--out DIR .*\[also --output-dir\]/);
    const dir = path.join(tmp.dir, 'clin');
    const r = await cli(['clinical', '--output-dir', dir, '--total-samples', '3', '--image-size', '16,16', '--no-preview', '--gzip-level', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['clinical.csv', 'clinical.h5', 'metadata.json']);
  });

  it('a misspelt flag gets a suggestion', async () => {
    const r = await cli(['generate', '--totl-samples', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --totl-samples \(did you mean --total-samples\?\)/);
  });
});
