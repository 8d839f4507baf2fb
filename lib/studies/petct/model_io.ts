/**
 * The study's checkpoint contract: best_model.safetensors holds the MultiTaskUNet weights plus
 * what evaluate/demo need to rebuild the training pipeline exactly (slice options, split seed
 * and fraction). Loading refuses any other architecture with one INVALID_ARGUMENT line.
 */
import { existsSync } from 'node:fs';

import { MedsynthError } from '../../errors.js';
import { readCheckpoint, loadCheckpoint } from '../../nn/checkpoint.js';
import { noGrad } from '../../nn/autograd.js';
import { withArena } from '../../nn/arena.js';
import { Tensor } from '../../nn/tensor.js';
import { MultiTaskUNet, UNET_NAME, type SurvivalPool } from '../../models/unet.js';
import { resolveSliceOptions, type ResolvedSliceOptions, type SliceOptions } from './slices.js';

/** What `train petct` records in the checkpoint's config. */
export interface PetCtRunConfig {
  study: 'petct';
  slices: SliceOptions & { seed: number | string };
  split: { seed: number; validationFraction: number };
  [key: string]: unknown;
}

export interface LoadedPetCtModel {
  model: MultiTaskUNet;
  config: PetCtRunConfig;
  sliceOptions: ResolvedSliceOptions;
  training: Record<string, unknown>;
}

export function loadPetCtModel(file: string): LoadedPetCtModel {
  if (!existsSync(file)) throw new MedsynthError('INVALID_ARGUMENT', `no model file ${file}`);
  let header;
  try {
    header = readCheckpoint(file).header;
  } catch (err) {
    throw new MedsynthError('INVALID_ARGUMENT', `${file} is not a medsynth checkpoint: ${(err as Error).message}`, { cause: err });
  }
  const arch = header.architecture;
  const config = header.config as PetCtRunConfig;
  if (arch?.name !== UNET_NAME || config?.study !== 'petct') {
    throw new MedsynthError('INVALID_ARGUMENT', `${file} is a ${String(arch?.name)} checkpoint, not a PET/CT ${UNET_NAME} from 'medsynth train petct'`);
  }
  const model = new MultiTaskUNet({
    inChannels: arch.in_channels as number,
    base: arch.base as number,
    dropout: arch.dropout as number,
    mid: arch.mid as Record<string, number>,
    clinical: (arch.clinical as number | undefined) ?? 0,
    // Absent in checkpoints written before the option (and for the default): the seed's average pool.
    survivalPool: (arch.survival_pool as SurvivalPool | undefined) ?? 'avg',
  });
  loadCheckpoint(file, model, { architecture: model.architecture() });
  return { model, config, sliceOptions: resolveSliceOptions(config.slices), training: header.training };
}

export interface PassOutputs {
  /** [T] sigmoid maps of the batch, each [N·H·W]. */
  segmentation: Float32Array[];
  /** [T] risks of the batch, each [N]. */
  risk: Float64Array[];
}

/**
 * T forward passes of one batch [N, 2, H, W]: with `mc`, dropout on (batch norm in eval) and
 * masks keyed by (seed, pass) so passes differ but are reproducible; otherwise eval mode.
 * `clinical` [N·model.clinical] is the second input of a model with clinical covariates.
 */
export function forwardPasses(
  model: MultiTaskUNet,
  images: Float32Array,
  shape: readonly number[],
  T: number,
  { mc = true, seed = 0, clinical }: { mc?: boolean; seed?: number; clinical?: Float32Array | null } = {},
): PassOutputs {
  const n = shape[0];
  if (model.clinical > 0 && !clinical) throw new MedsynthError('INVALID_ARGUMENT', 'the model takes clinical covariates (age, sex, stage), but the cohort\'s clinical.csv has none');
  const out: PassOutputs = { segmentation: [], risk: [] };
  if (mc) model.mcDropout();
  else model.eval();
  for (let t = 0; t < T; t++) {
    if (mc) model.setDropoutContext({ seed, step: t });
    withArena(() =>
      noGrad(() => {
        const r = model.forwardMultiTask(Tensor.from(images, shape), model.clinical > 0 ? Tensor.from(clinical!, [n, model.clinical]) : undefined);
        out.segmentation.push(Float32Array.from(r.segmentation.data));
        out.risk.push(Float64Array.from(r.risk.data));
      }),
    );
  }
  return out;
}
