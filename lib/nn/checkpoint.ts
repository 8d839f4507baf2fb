/**
 * Checkpoints: a safetensors file whose tensors are the model's state dict under PyTorch's names
 * (so `model.load_state_dict(safetensors.torch.load_file(path), strict=True)` works on the torch
 * module of the same architecture), with a JSON header in the `__metadata__` entry `medsynth`:
 * architecture, config, training progress, the medsynth version, and a reference to the
 * optimizer's state, which lives beside it in `<name>.optim.safetensors` (torch's
 * `state.<i>.exp_avg` layout + param_groups). Loading refuses a corrupt file, another
 * architecture, or a state dict that does not fit, saying what differs.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { medsynthVersion } from '../version.js';
import type { Module } from './module.js';
import type { Optimizer, OptimizerState } from './optim/optimizer.js';
import { readSafetensors, writeSafetensors, type StoredTensor } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'medsynth-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;

/** What a model is: its class name and constructor arguments (enough to rebuild it). */
export interface Architecture {
  name: string;
  [arg: string]: unknown;
}

export interface CheckpointHeader {
  format: typeof CHECKPOINT_FORMAT;
  format_version: number;
  medsynth_version: string;
  architecture: Architecture;
  /** The run's configuration (data, hyper-parameters), as JSON. */
  config: Record<string, unknown>;
  /** Where the optimizer's state is (relative to the checkpoint), or null. */
  optimizer: { file: string; type: string } | null;
  /** Progress when saved (epoch, step, metrics, …). */
  training: Record<string, unknown>;
  /** Number of parameters and their names in order, for a quick look without loading. */
  parameters: number;
}

export interface SaveOptions {
  architecture: Architecture;
  config?: Record<string, unknown>;
  optimizer?: Optimizer;
  training?: Record<string, unknown>;
}

/** `<dir>/<stem>.optim.safetensors` beside `<dir>/<stem>.safetensors`. */
export function optimizerFileFor(file: string): string {
  return path.join(path.dirname(file), `${path.basename(file).replace(/\.safetensors$/, '')}.optim.safetensors`);
}

/** Writes the model (and the optimizer's state when given); both atomically, the optimizer first. */
export function saveCheckpoint(file: string, model: Module, options: SaveOptions): CheckpointHeader {
  let optimizer: CheckpointHeader['optimizer'] = null;
  if (options.optimizer) {
    const optimFile = optimizerFileFor(file);
    const state = options.optimizer.stateDict();
    writeSafetensors(optimFile, state.tensors, {
      format: 'pt',
      medsynth_optimizer: JSON.stringify({ type: state.type, param_groups: [state.paramGroup], param_names: model.namedParameters().map(([n]) => n) }),
    });
    optimizer = { file: path.basename(optimFile), type: state.type };
  }
  const header: CheckpointHeader = {
    format: CHECKPOINT_FORMAT,
    format_version: CHECKPOINT_FORMAT_VERSION,
    medsynth_version: medsynthVersion(),
    architecture: options.architecture,
    config: options.config ?? {},
    optimizer,
    training: options.training ?? {},
    parameters: model.parameterCount(),
  };
  writeSafetensors(file, model.stateDict(), { format: 'pt', medsynth: JSON.stringify(header) });
  return header;
}

export interface Checkpoint {
  header: CheckpointHeader;
  state: Map<string, StoredTensor>;
}

/** Reads and checks a checkpoint file (not yet applied to a model). */
export function readCheckpoint(file: string): Checkpoint {
  const { tensors, metadata } = readSafetensors(file);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(metadata.medsynth ?? 'null') as CheckpointHeader;
  } catch {
    throw new MedsynthError('CORRUPT_FILE', `${file}: the medsynth checkpoint header is not valid JSON`);
  }
  if (!header || header.format !== CHECKPOINT_FORMAT) {
    throw new MedsynthError('CORRUPT_FILE', `${file} is a safetensors file but not a medsynth checkpoint (no 'medsynth' header in __metadata__)`);
  }
  if (header.format_version > CHECKPOINT_FORMAT_VERSION) {
    throw new MedsynthError('CORRUPT_FILE', `${file} has checkpoint format ${header.format_version}; this medsynth reads up to ${CHECKPOINT_FORMAT_VERSION}`);
  }
  return { header, state: tensors };
}

/** The top-level fields in which two JSON records (architectures, run configs) differ, as "name: checkpoint X, expected Y". */
export function fieldDifferences(saved: Record<string, unknown>, expected: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(expected)]);
  const out: string[] = [];
  for (const k of keys) {
    const a = JSON.stringify(saved[k]);
    const b = JSON.stringify(expected[k]);
    if (a !== b) out.push(`${k}: checkpoint ${a ?? 'absent'}, expected ${b ?? 'absent'}`);
  }
  return out;
}

/**
 * Loads a checkpoint into `model`. With `architecture`, refuses a checkpoint of another one
 * (listing the differing fields); the state dict must then fit exactly (strict).
 */
export function loadCheckpoint(file: string, model: Module, { architecture }: { architecture?: Architecture } = {}): CheckpointHeader {
  const { header, state } = readCheckpoint(file);
  if (architecture) {
    const diff = fieldDifferences(header.architecture, architecture);
    if (diff.length) throw new MedsynthError('INVALID_ARGUMENT', `${file} holds another architecture:\n  ${diff.join('\n  ')}`);
  }
  try {
    model.loadStateDict(state, { strict: true });
  } catch (err) {
    throw new MedsynthError('INVALID_ARGUMENT', `${file}: ${(err as Error).message}`, { cause: err });
  }
  return header;
}

/** Restores the optimizer state a checkpoint refers to (for resuming). */
export function loadOptimizerState(file: string, header: CheckpointHeader, optimizer: Optimizer): void {
  if (!header.optimizer) throw new MedsynthError('INVALID_ARGUMENT', `${file} was saved without optimizer state; cannot resume`);
  const optimFile = path.join(path.dirname(file), header.optimizer.file);
  if (!existsSync(optimFile)) throw new MedsynthError('IO_ERROR', `${file} refers to optimizer state ${optimFile}, which does not exist`);
  const { tensors, metadata } = readSafetensors(optimFile);
  let info: { type: string; param_groups: Record<string, unknown>[] };
  try {
    info = JSON.parse(metadata.medsynth_optimizer ?? 'null');
  } catch {
    info = null as never;
  }
  if (!info || !Array.isArray(info.param_groups) || info.param_groups.length !== 1) {
    throw new MedsynthError('CORRUPT_FILE', `${optimFile} is not a medsynth optimizer state file`);
  }
  const state: OptimizerState = { type: info.type, tensors, paramGroup: info.param_groups[0] };
  optimizer.loadStateDict(state);
}
