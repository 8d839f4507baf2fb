/**
 * A `medsynth petct` cohort on disk streamed patient by patient for training loops: the dataset
 * stream (lib/datasets/dataset_samples.ts: stored or seeded per-epoch order, bounded read-ahead,
 * abort) over loadPetCtVolumes.
 */
import { datasetSamples, type DatasetStreamOptions } from '../../datasets/dataset_samples.js';
import type { SampleStream } from '../../stream/pipeline.js';
import { loadPetCtVolumes, type PetCtCohort, type PetCtVolumes } from './cohort.js';

/** The cohort's patients (clinical.csv order, or shuffled), each as loadPetCtVolumes reads it. */
export function cohortSamples(cohort: PetCtCohort, options: DatasetStreamOptions = {}): SampleStream<PetCtVolumes> {
  return datasetSamples({ length: cohort.patients.length, get: (i) => loadPetCtVolumes(cohort, cohort.patients[i].id) }, options);
}
