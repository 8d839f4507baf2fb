/**
 * `medsynth optimize --model M --data-dir D --output O --quantize --benchmark [--prune 0.5]`:
 * ONNX export, static INT8 quantization, pruning and an FP32-vs-optimised benchmark
 * (lib/onnx/optimize.ts) of a trained checkpoint: the seed-000 SimpleModel on a `medsynth clinical`
 * dataset, or the PET/CT U-Net of `medsynth train petct` on a `medsynth petct` cohort.
 */
import { CALIBRATION_METHODS, type CalibrationMethod } from '../onnx/calibrate.js';
import { optimize, type OptimizeOptions } from '../onnx/optimize.js';
import { formatHelp, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';

export const OPTIMIZE_FLAGS: FlagTable = {
  model: { type: 'string', metavar: 'FILE', help: 'trained checkpoint: model.safetensors (`medsynth train clinical`) or best_model.safetensors (`medsynth train petct`)' },
  'data-dir': { type: 'string', metavar: 'DIR', help: 'classifier: `medsynth clinical` output (the first --calibration rows calibrate, the rest are held out); U-Net: the `medsynth petct` cohort it was trained on (training split calibrates, held-out patients evaluate)' },
  output: { type: 'string', metavar: 'DIR', help: 'where model_fp32.onnx, model_int8.onnx, benchmark.json and benchmark.md go' },
  quantize: { type: 'boolean', help: 'write the static INT8 (QDQ) model' },
  benchmark: { type: 'boolean', help: 'time every model at 1 and 2 intra-op threads (batch 1)' },
  prune: { type: 'string', metavar: 'S', help: 'also write pruned models: magnitude at sparsity S (e.g. 0.5); U-Net also every block\'s inner channels −S' },
  calibration: { type: 'string', metavar: 'N', default: '64', help: 'calibration rows (classifier; also its fine-tune rows) or training slices (U-Net)' },
  'finetune-epochs': { type: 'string', metavar: 'N', default: '3', help: 'engine fine-tune epochs after pruning (0: none)' },
  'finetune-lr': { type: 'string', metavar: 'LR', help: 'fine-tune learning rate (default: classifier 1e-4, U-Net its training lr)' },
  method: { type: 'string', metavar: 'M', default: 'minmax', help: `calibration method: ${CALIBRATION_METHODS.join(', ')}` },
  percentile: { type: 'string', metavar: 'P', default: '99.99', help: 'percentile for --method percentile' },
  'keep-float': { type: 'string', metavar: 'NODES', help: 'comma-separated node names (module paths, e.g. cnn.0,fc.2) kept in float' },
  'bench-time': { type: 'string', metavar: 'MS', default: '2000', help: 'tinybench time per model and thread count' },
  help: { type: 'boolean', help: 'show this help' },
};

const HELP = formatHelp(
  'Usage: medsynth optimize --model M --data-dir D --output O [--quantize] [--benchmark] [--prune S]',
  'Export a trained model to ONNX (opset 17, batch-norm folded, batch as a dynamic axis), quantize it to INT8\n' +
    '(per-channel int8 weights, uint8 activations) and benchmark FP32 against the optimised models on onnxruntime.',
  OPTIMIZE_FLAGS,
);

export function parseOptimizeArgs(argv: readonly string[]): OptimizeOptions | null {
  const { flags, positionals } = parseArgs(argv, OPTIMIZE_FLAGS);
  if (flags.help) return null;
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  for (const f of ['model', 'data-dir', 'output']) if (flags[f] === undefined || String(flags[f]).trim() === '') throw new UsageError(`--${f} is required`);
  const method = String(flags.method) as CalibrationMethod;
  if (!CALIBRATION_METHODS.includes(method)) throw new UsageError(`--method must be one of ${CALIBRATION_METHODS.join(', ')}, got '${method}'`);
  const options: OptimizeOptions = {
    model: String(flags.model),
    dataDir: String(flags['data-dir']),
    output: String(flags.output),
    quantize: flags.quantize === true,
    benchmark: flags.benchmark === true,
    calibrationSamples: numberFlag(flags, 'calibration', { integer: true, min: 0, max: 1e6 }),
    method,
    percentile: numberFlag(flags, 'percentile', { min: 0, max: 100 }),
    keepFloat: flags['keep-float'] ? String(flags['keep-float']).split(',').map((s) => s.trim()).filter(Boolean) : [],
    threads: [1, 2],
    benchTimeMs: numberFlag(flags, 'bench-time', { integer: true, min: 1, max: 600000 }),
    fineTuneEpochs: numberFlag(flags, 'finetune-epochs', { integer: true, min: 0, max: 1000 }),
  };
  if (flags['finetune-lr'] !== undefined) options.fineTuneLr = numberFlag(flags, 'finetune-lr', { min: 1e-12, max: 1 });
  if (flags.prune !== undefined) options.prune = numberFlag(flags, 'prune', { min: 0, below: 1 });
  return options;
}

export async function runOptimize(argv: readonly string[]): Promise<number> {
  const options = parseOptimizeArgs(argv);
  if (!options) {
    process.stdout.write(HELP);
    return 0;
  }
  const report = await optimize(options, (line) => process.stdout.write(`medsynth: ${line}\n`));
  for (const m of Object.values(report.models)) {
    const lat = Object.entries(m.latency).map(([t, l]) => `${t}t ${l.medianMs.toFixed(2)} ms (${m.speedup[t].toFixed(2)}×)`).join(', ');
    const quality = report.metrics.map((k) => `${k} ${m.metrics[k].toFixed(4)}`).join(', ');
    process.stdout.write(`${m.file}: ${(m.bytes / 2 ** 20).toFixed(3)} MB, ${quality}${lat ? `, ${lat}` : ''}\n`);
  }
  process.stdout.write(`wrote ${options.output}/benchmark.md\n`);
  return 0;
}
