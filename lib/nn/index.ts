/**
 * The training engine: tensors and the tape, modules and layers (torch.nn's vocabulary),
 * initialisation, optimizers and schedules, checkpoints (safetensors with PyTorch names), the
 * training loop and its worker-thread runner.
 */
export { Tensor, formatShape, sameShape, shapeSize, type GradFn } from './tensor.js';
export { backward, grad, isGradEnabled, noGrad, withGradMode, type BackwardOptions } from './autograd.js';
export { allocFloat32, arenaPooledBytes, clearArena, withArena } from './arena.js';
export * as ops from './ops/index.js';
export { Module, parameterTensor, type DropoutContext, type ModuleMode } from './module.js';
export * from './layers/index.js';
export { fanIn, initialize, INIT_STREAM, uniformFill } from './init.js';
export * from './optim/index.js';
export { CheckpointBest, CosineAnnealingLR, EarlyStopping, ReduceLROnPlateau, type MetricMode, type PlateauOptions } from './schedule.js';
export { clipGradNorm } from './clip.js';
export {
  fieldDifferences, loadCheckpoint, loadOptimizerState, optimizerFileFor, readCheckpoint, saveCheckpoint,
  type Architecture, type Checkpoint, type CheckpointHeader, type SaveOptions,
} from './checkpoint.js';
export { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors, type SafetensorsDtype, type StoredTensor } from './safetensors.js';
export { batchRanges, gatherLabels, gatherRows, permutation, SHUFFLE_STREAM } from './data.js';
export { countCorrect, Trainer, TrainingDiverged, TrainingInterrupted, type BatchProgress, type EpochStats, type StepOutput, type TrainerOptions } from './trainer.js';
export { runTrainingJob, workerScript, type WorkerRunOptions } from './worker_runner.js';
export { TRAINING_JOBS, type TrainingJob } from './training_jobs.js';
export { fit, historyCsv, type EpochRecord, type FitOptions, type FitResult, type Split } from './fit.js';
