// `medsynth train petct` flags: the seed's defaults, and usage errors for impossible values.
import { describe, expect, it } from 'vitest';

import { UsageError } from '../../lib/cli/args.js';
import { parseTrainPetCtArgs } from '../../lib/cli/petct_study.js';

describe('train petct flags', () => {
  it("takes the seed's defaults and the given flags", () => {
    const o = parseTrainPetCtArgs(['--data-dir', 'd', '--output', 'o', '--base', '8', '--size', '64', '--threads', '2'])!;
    expect(o).toMatchObject({ dataDir: 'd', output: 'o', epochs: 30, batchSize: 8, segWeight: 0.6, survWeight: 0.4, lr: 1e-4, patience: 10, base: 8, size: 64, threads: 2 });
    expect(parseTrainPetCtArgs(['--help'])).toBeNull();
  });

  it('refuses a size that four poolings cannot halve, a zero rate, both weights 0, a missing cohort', () => {
    const base = ['--data-dir', 'd', '--output', 'o'];
    expect(() => parseTrainPetCtArgs([...base, '--size', '40'])).toThrow(UsageError);
    expect(() => parseTrainPetCtArgs([...base, '--lr', '0'])).toThrow(UsageError);
    expect(() => parseTrainPetCtArgs([...base, '--seg-weight', '0', '--surv-weight', '0'])).toThrow(UsageError);
    expect(() => parseTrainPetCtArgs(['--output', 'o'])).toThrow(/--data-dir is required/);
  });
});
