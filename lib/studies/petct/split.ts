/**
 * The patient-level train / validation split (70/30 by default). Whole patients go to one side,
 * so no slice of a validation patient is ever seen in training. Stratified by event status:
 * events and censored patients are shuffled separately (Philox, seeded) and each group gives
 * round(fraction · size) patients to validation, so both sides keep the cohort's censoring rate
 * and the validation C-index has events to compare.
 */
import { Rng } from '../../core/philox.js';
import { invalidParameter } from '../../errors.js';
import { checkNumber, checkSeed } from '../../validate.js';
import type { PetCtCohortPatient } from './cohort.js';

/** Philox stream of the split's shuffles (distinct from the generator's streams). */
export const SPLIT_STREAM = 0x5e1171;

export interface PatientSplit {
  /** Patient ids in a seeded random order. */
  train: string[];
  validation: string[];
  seed: number | bigint;
  validationFraction: number;
}

export interface SplitOptions {
  /** Share of patients held out (default 0.3). */
  validationFraction?: number;
  seed?: number | bigint;
}

/** Fisher–Yates with a seeded generator. */
function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Splits patients into training and validation sets by patient.
 *
 * @throws MedsynthError INVALID_ARGUMENT for fewer than 2 patients, repeated ids or a fraction
 *   outside [0.01, 0.99]
 */
export function splitPatients(patients: readonly PetCtCohortPatient[], options: SplitOptions = {}): PatientSplit {
  if (!Array.isArray(patients) || patients.length < 2) throw invalidParameter('patients', 'at least 2 patients to split', patients);
  const ids = new Set(patients.map((p) => p.id));
  if (ids.size !== patients.length) throw invalidParameter('patients', 'distinct patient ids', patients);
  const fraction = checkNumber('validationFraction', options.validationFraction ?? 0.3, { min: 0.01, max: 0.99 });
  const seed = checkSeed('seed', options.seed ?? 42);
  // Sorted ids first, so the split does not depend on the order the caller listed them in.
  const sorted = [...patients].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const train: string[] = [];
  const validation: string[] = [];
  for (const event of [1, 0] as const) {
    const group = shuffle(sorted.filter((p) => p.event === event).map((p) => p.id), new Rng(seed, event, SPLIT_STREAM));
    const k = Math.round(fraction * group.length);
    validation.push(...group.slice(0, k));
    train.push(...group.slice(k));
  }
  // Never leave a side empty: move one patient across when rounding did.
  if (validation.length === 0) validation.push(train.pop()!);
  if (train.length === 0) train.push(validation.pop()!);
  const rng = new Rng(seed, 2, SPLIT_STREAM);
  return { train: shuffle(train, rng), validation: shuffle(validation, rng), seed, validationFraction: fraction };
}
