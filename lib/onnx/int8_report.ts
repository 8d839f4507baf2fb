/**
 * Which ops ORT actually runs in int8: the session writes the graph it optimised
 * (SessionOptions.optimizedModelFilePath), which we parse and count by op type. QLinear*, QGemm
 * and ops fed by QuantizeLinear output (int8 MaxPool, DepthToSpace) are int8; a Conv, Gemm or
 * ConvTranspose left in the optimised graph ran in float.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { decodeModel } from './graph.js';
import { createSession } from './ort.js';

export interface Int8Report {
  /** Op counts in ORT's optimised graph ('QLinearConv', 'com.microsoft.nchwc:Conv', …). */
  ops: Record<string, number>;
  /** Compute nodes that run in int8 / in float. */
  int8Compute: number;
  floatCompute: string[];
}

const INT8_COMPUTE = /^(QLinear\w+|QGemm|MatMulInteger|ConvInteger|DynamicQuantize\w*)$/;
const FLOAT_COMPUTE = /^(Conv|ConvTranspose|Gemm|MatMul|FusedConv|FusedGemm)$/;

export async function int8Report(model: Uint8Array): Promise<Int8Report> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ms-ort-opt-'));
  try {
    const file = path.join(dir, 'optimized.onnx');
    const session = await createSession(model, { threads: 1, optimizedModelFilePath: file });
    await session.release();
    const decoded = decodeModel(readFileSync(file));
    const ops: Record<string, number> = {};
    let int8Compute = 0;
    const floatCompute: string[] = [];
    for (const n of decoded.nodes) {
      const key = n.domain && n.domain !== 'ai.onnx' && n.domain !== 'com.microsoft' ? `${n.domain}:${n.op}` : n.op;
      ops[key] = (ops[key] ?? 0) + 1;
      if (INT8_COMPUTE.test(n.op)) int8Compute++;
      else if (FLOAT_COMPUTE.test(n.op)) floatCompute.push(n.name || n.op);
    }
    return { ops, int8Compute, floatCompute };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
