/**
 * onnxruntime-node sessions from model bytes. `run()` is synchronous native work: call it from a
 * worker thread where the event loop matters (benchmarks, the CLI); tests and calibration use
 * it directly.
 */
import * as ort from 'onnxruntime-node';

import { MedsynthError } from '../errors.js';

export interface SessionOptions {
  /** Intra-op threads (default 1). */
  threads?: number;
  /** Where ORT writes the graph it optimised (to see which ops ran in int8). */
  optimizedModelFilePath?: string;
}

export async function createSession(model: Uint8Array, { threads = 1, optimizedModelFilePath }: SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Writing the optimised graph makes ORT warn that it is hardware-specific: we know (it is only read back).
      ...(optimizedModelFilePath ? { optimizedModelFilePath, logSeverityLevel: 3 as const } : {}),
    });
  } catch (err) {
    throw new MedsynthError('CORRUPT_FILE', `onnxruntime refused the model: ${(err as Error).message.split('\n')[0]}`);
  }
}

export interface NamedArray {
  data: Float32Array;
  dims: readonly number[];
}

/** Runs the session on float32 inputs; returns the named float32 outputs. */
export async function runSession(session: ort.InferenceSession, feeds: Record<string, NamedArray>, outputs?: string[]): Promise<Record<string, NamedArray>> {
  const inputs: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) inputs[k] = new ort.Tensor('float32', v.data, v.dims);
  const result = outputs ? await session.run(inputs, outputs) : await session.run(inputs);
  const out: Record<string, NamedArray> = {};
  for (const [k, t] of Object.entries(result)) out[k] = { data: t.data as Float32Array, dims: t.dims };
  return out;
}
