/**
 * The streaming API: `for await (const s of samples(options, { start, count }))` over any
 * generator, and the same as a Node object-mode Readable for stream pipelines.
 */
import { Readable } from 'node:stream';

import { invalidParameter } from '../errors.js';
import type { AnatomySample } from '../generators/anatomy3d/index.js';
import {
  generatorAdapter,
  type AnatomyStreamOptions,
  type ClinicalSample,
  type ClinicalStreamOptions,
  type GeneratorStreamOptions,
  type LongitudinalSample,
  type LongitudinalStreamOptions,
  type NoduleStreamOptions,
  type NoduleStreamSample,
  type PetCtSample,
  type PetCtStreamOptions,
} from './generator_adapters.js';
import { streamSamples, type SampleAdapter, type SampleStream, type StreamOptions } from './pipeline.js';

/** Samples [start, start + count) of a generator (or of any SampleAdapter), made ahead on the native pool. */
export function samples(options: AnatomyStreamOptions, stream?: StreamOptions): SampleStream<AnatomySample>;
export function samples(options: ClinicalStreamOptions, stream?: StreamOptions): SampleStream<ClinicalSample>;
export function samples(options: PetCtStreamOptions, stream?: StreamOptions): SampleStream<PetCtSample>;
export function samples(options: LongitudinalStreamOptions, stream?: StreamOptions): SampleStream<LongitudinalSample>;
export function samples(options: NoduleStreamOptions, stream?: StreamOptions): SampleStream<NoduleStreamSample>;
export function samples<T>(adapter: SampleAdapter<T>, stream?: StreamOptions): SampleStream<T>;
export function samples(options: GeneratorStreamOptions, stream?: StreamOptions): SampleStream<unknown>;
export function samples(options: GeneratorStreamOptions | SampleAdapter<unknown>, stream: StreamOptions = {}): SampleStream<unknown> {
  return streamSamples(isAdapter(options) ? options : generatorAdapter(options), stream);
}

/**
 * The same samples as an object-mode Readable (highWaterMark 1: one sample buffered beyond the
 * pipeline's prefetch). Destroying it — or a failing stage of `stream.pipeline` — stops the
 * stream like `break`; an abort destroys it with the AbortError.
 */
export function samplesStream(options: GeneratorStreamOptions | SampleAdapter<unknown>, stream: StreamOptions = {}): Readable {
  // A Readable pulls the next sample while the previous one waits downstream: recycled buffers
  // would be overwritten under it.
  if (stream?.reuse) throw invalidParameter('reuse', 'false for samplesStream (a Readable reads ahead of its consumer)', stream.reuse);
  return Readable.from(samples(options as SampleAdapter<unknown>, stream), { objectMode: true, highWaterMark: 1 });
}

function isAdapter(options: unknown): options is SampleAdapter<unknown> {
  return options !== null && typeof options === 'object' && typeof (options as SampleAdapter<unknown>).make === 'function';
}
