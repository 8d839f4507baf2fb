/** What the viewer tests share: the page built into a folder, a small anatomy dataset and a tiny PET/CT cohort. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { generateDataset } from '../../lib/generators/anatomy3d/dataset.js';
import { generatePetCtDataset } from '../../lib/generators/petct/dataset.js';
import { ROOT } from './cli.js';

/** Builds the page (scripts/build-viewer.mjs) into `outDir`. */
export function buildViewerPage(outDir: string): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-viewer.mjs'), outDir], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`build-viewer failed:\n${r.stdout}${r.stderr}`);
}

/** [Z, Y, X] of the anatomy samples: small, and not a cube, so an axis mix-up shows. */
export const ANATOMY_SIZE: [number, number, number] = [16, 32, 32];
export const ANATOMY_SPACING: [number, number, number] = [2.5, 1.25, 1.5];

/** 5 samples (train 3, val 1, test 1), masks stored both as one-hot and as a label map. */
export async function makeAnatomyDataset(dir: string, masks: 'onehot' | 'labels' | 'both' = 'both'): Promise<void> {
  await generateDataset({ outputDir: dir, imageSize: ANATOMY_SIZE, spacing: ANATOMY_SPACING, totalSamples: 5, validationSplit: 0.2, testSplit: 0.2, seed: 7, masks });
}

/** Two PET/CT patients at 24×32×32. */
export async function makePetCtCohort(dir: string): Promise<void> {
  await generatePetCtDataset({ outputDir: dir, patients: 2, imageSize: [24, 32, 32], seed: 5, preview: false });
}
