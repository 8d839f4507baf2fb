/** The `medsynth` command: dispatches to one subcommand and maps errors to exit codes. */
import { errnoOf, fsError } from '../core/fs_errors.js';
import { MedsynthError } from '../errors.js';
import { lastHdf5Diagnostics } from '../io/hdf5_calls.js';
import { medsynthVersion } from '../version.js';
import { UsageError } from './args.js';
import { runClinical } from './clinical.js';
import { runGenerate } from './generate.js';
import { runOptimize } from './optimize.js';
import { runNodules } from './nodules.js';
import { runLongitudinal } from './longitudinal.js';
import { runPetct } from './petct.js';
import { runPreview } from './preview.js';
import { runTrain } from './train.js';
import { runDemo, runEvaluate } from './petct_study.js';
import { runBench } from './bench.js';
import { runMerge } from './merge.js';
import { runView } from './view.js';

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; summary: string }>> = {
  generate: { run: runGenerate, summary: '3D anatomy dataset (HDF5) with masks, scenarios and previews' },
  preview: { run: runPreview, summary: 'PNG of one stored sample with its labelled mask overlay' },
  clinical: { run: runClinical, summary: '2D image + radiomics + noisy label dataset from one latent disease model (HDF5, CSV, PNG)' },
  petct: { run: runPetct, summary: 'PET/CT NIfTI cohort with tumours, masks and survival outcomes (clinical.csv)' },
  nodules: { run: runNodules, summary: 'lung nodule patches (HDF5) with masks and malignancy labels; balancing, insertion into CT' },
  longitudinal: { run: runLongitudinal, summary: 'OCT-like images + NLME follow-up from one latent (HDF5, CSV, PNG)' },
  train: { run: runTrain, summary: 'train an engine model (clinical: seed 000 classifier) in a worker thread' },
  evaluate: { run: runEvaluate, summary: "MC-dropout evaluation of a 'train petct' model: metrics.json, report.md, reliability.png" },
  demo: { run: runDemo, summary: "6-panel figure of one patient from a 'train petct' model" },
  optimize: { run: runOptimize, summary: 'ONNX export, INT8 quantization, pruning and an FP32-vs-INT8 benchmark of a trained model' },
  bench: { run: runBench, summary: 'speed on this machine: times and ratios against baselines measured in the same run' },
  merge: { run: runMerge, summary: 'join the shards of a --shard run (generate, petct, clinical) into one dataset' },
  view: { run: runView, summary: 'browser viewer (NiiVue) of a dataset, PET/CT cohort or NIfTI file, served on 127.0.0.1' },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: medsynth <command> [options]\n\nCommands:\n${rows.join('\n')}\n\n` +
    `Run 'medsynth <command> --help' for a command's options. 'medsynth --version' prints the version.\n`;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === '--version' || command === '-V' || (command === 'generate' && rest.includes('--version'))) {
      process.stdout.write(`medsynth ${medsynthVersion()}\n`);
      return 0;
    }
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(usage());
      return command === undefined ? 2 : 0;
    }
    const entry = COMMANDS[command];
    if (!entry) throw new UsageError(`unknown command '${command}'`);
    return await entry.run(rest);
  } catch (err) {
    return reportError(err, rest.includes('--verbose'));
  }
}

/** One line per error (code and message); the stack, causes and HDF5 diagnostics only with --verbose. */
function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof UsageError) {
    process.stderr.write(`medsynth: error: ${err.message}\n`);
    return 2;
  }
  // A filesystem error that reached here unmapped still gets a code and one line.
  const error = err instanceof MedsynthError ? err : errnoOf(err) ? fsError(err, 'error with', String((err as { path?: string }).path ?? '')) : undefined;
  const hint = !verbose && (!error || error.code === 'NATIVE_ERROR' || error.code === 'IO_ERROR') ? ' (run with --verbose for details)' : '';
  if (error) process.stderr.write(`medsynth: error [${error.code}]: ${error.message.split('\n')[0]}${hint}\n`);
  else process.stderr.write(`medsynth: unexpected error: ${String((err as Error)?.message ?? err).split('\n')[0]}${hint}\n`);
  if (verbose) {
    for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    const diag = lastHdf5Diagnostics();
    if (diag) process.stderr.write(`last HDF5 diagnostics:\n${diag}\n`);
  }
  return error?.code === 'INVALID_ARGUMENT' ? 2 : 1;
}
