// The ORT worker: close() while inferences are still queued or running must wait for them and let
// the thread end by itself. worker.terminate() during a run aborted the whole process ("terminate
// called after throwing an instance of 'Napi::Error'"), which here would kill the test fork.
import { describe, expect, it } from 'vitest';

import { MultiTaskUNet } from '../../lib/models/unet.js';
import { exportOnnx } from '../../lib/onnx/export.js';
import { OrtWorker } from '../../lib/onnx/ort_worker.js';
import { input } from './helpers.js';

describe('OrtWorker', () => {
  it('close() during queued runs waits for them; the runs resolve and the worker ends', async () => {
    const model = exportOnnx(new MultiTaskUNet({ base: 8, seed: 1 }).eval());
    const feeds = { image: input([1, 2, 128, 128], 3) };
    const w = await OrtWorker.start(model, feeds, 1);
    const runs = [w.run(), w.run(), w.run()];
    await w.close();
    const results = await Promise.allSettled(runs);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const first = (results[0] as PromiseFulfilledResult<Record<string, { data: Float32Array }>>).value;
    expect(first.segmentation.data).toHaveLength(128 * 128);
    await expect(w.run()).rejects.toThrow(/already ended/);
  }, 60_000);

  it('a model ORT refuses: one-line error, and the thread ends', async () => {
    await expect(OrtWorker.start(Uint8Array.of(8, 1, 2), { image: input([1, 2, 16, 16], 1) }, 1)).rejects.toThrow(/onnxruntime: /);
  });
});
