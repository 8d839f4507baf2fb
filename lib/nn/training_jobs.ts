/**
 * Training jobs the worker can run, by name: each is `run(options, emit, shouldStop)` with
 * structured-cloneable options, events and result. Later models (U-Net, GAN, VAE) add a line.
 */
export type TrainingJob = (options: never, emit: (event: unknown) => void, shouldStop: () => boolean) => Promise<unknown>;

export const TRAINING_JOBS: Record<string, () => Promise<TrainingJob>> = {
  clinical: async () => (await import('../models/clinical_training.js')).trainClinical as TrainingJob,
  vae: async () => (await import('../models/vae_training.js')).trainVae as TrainingJob,
  petct: async () => (await import('../studies/petct/train.js')).trainPetCt as TrainingJob,
};
