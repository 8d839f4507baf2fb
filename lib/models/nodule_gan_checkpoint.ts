/**
 * Loading a trained nodule WGAN-GP generator as a NoduleSource: refuses a file that is not a
 * NoduleGenerator checkpoint (a critic's, another model's, not a checkpoint at all) with one line
 * that says what it holds, and a generator of another patch size than the caller's.
 */
import { existsSync, statSync } from 'node:fs';

import { MedsynthError } from '../errors.js';
import { DEFAULT_FOV_MM } from '../generators/nodules/options.js';
import { loadCheckpoint, readCheckpoint } from '../nn/checkpoint.js';
import { GAN_MASK_THRESHOLD_HU, GanNoduleSource } from './nodule_gan_run.js';
import { NODULE_GENERATOR_NAME, NoduleGenerator } from './nodule_wgan.js';

export function loadNoduleGenerator(file: string): NoduleGenerator {
  if (!existsSync(file) || !statSync(file).isFile()) throw new MedsynthError('INVALID_ARGUMENT', `GAN checkpoint ${file} does not exist`);
  let arch: { name?: unknown; size?: number; width?: number; latent_dim?: number };
  try {
    arch = readCheckpoint(file).header.architecture as typeof arch;
  } catch (err) {
    if (!(err instanceof MedsynthError)) throw err;
    throw new MedsynthError('INVALID_ARGUMENT', `${file} is not a nodule WGAN generator checkpoint (${err.message.split('\n')[0]})`, { cause: err });
  }
  if (arch?.name !== NODULE_GENERATOR_NAME) {
    throw new MedsynthError('INVALID_ARGUMENT', `${file} holds a ${String(arch?.name)}, not a ${NODULE_GENERATOR_NAME} (give the generator_epochE.safetensors of medsynth nodules gan-train)`);
  }
  const generator = new NoduleGenerator({ size: arch.size, width: arch.width, latentDim: arch.latent_dim });
  loadCheckpoint(file, generator, { architecture: generator.architecture() });
  return generator;
}

/**
 * The generator of `file` as a source of malignant nodules of `size`³ (the generator's own size,
 * at DEFAULT_FOV_MM / size spacing as it was trained); samples keyed by (seed, index).
 */
export function ganNoduleSource(file: string, seed: number, size?: number, thresholdHu = GAN_MASK_THRESHOLD_HU): GanNoduleSource {
  const generator = loadNoduleGenerator(file);
  const s = generator.shape.size;
  if (size !== undefined && s !== size) throw new MedsynthError('INVALID_ARGUMENT', `${file} generates ${s}³ nodules, not the ${size}³ patches asked for (use --size ${s})`);
  const spacing: [number, number, number] = [DEFAULT_FOV_MM / s, DEFAULT_FOV_MM / s, DEFAULT_FOV_MM / s];
  return new GanNoduleSource(generator, seed, spacing, thresholdHu);
}
