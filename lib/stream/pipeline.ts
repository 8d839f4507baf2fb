/**
 * The one streaming pipeline under every generator and dataset reader: sample i comes from an
 * adapter's `make(i)`, the next `prefetch` samples are already being made (their native calls
 * queued on the addon's pool) while the consumer works on the current one, and nothing more is
 * alive than those plus the one the consumer holds.
 *
 * Ownership: a yielded sample belongs to the consumer. With `reuse: false` (the default) its
 * buffers are never written again by medsynth. With `reuse: true` the pipeline keeps prefetch + 1
 * slots of buffers and hands a slot out again once the consumer has asked for the following
 * sample: a sample is then valid until the next `next()` (the next turn of `for await`), and a
 * consumer that keeps it longer must copy it.
 *
 * Stopping: `break` (the iterator's return()), an AbortSignal or a failed sample start nothing
 * new; the samples already being made finish (native jobs cannot be interrupted halfway) and are
 * dropped, and only then does return() resolve or next() reject — so once the loop has exited,
 * no work of the stream is running.
 */
import { MedsynthError, invalidParameter } from '../errors.js';
import { checkKnownKeys } from '../core/options_check.js';
import { checkInteger } from '../validate.js';

/** How sample i of one source is made; one small adapter per generator or reader. */
export interface SampleAdapter<T> {
  /** What the samples are (error messages). */
  readonly name: string;
  /** One past the last index (default 2^32: every generator addresses samples by a uint32). */
  readonly end?: number;
  /**
   * Makes sample `index`. `slot` in [0, prefetch + 1) names the pipeline slot doing it: an adapter
   * may keep scratch buffers per slot, reused by that slot's next sample. With `reuse` the result
   * may live in the slot's buffers (the pipeline does not give the slot out again while the
   * consumer holds the result); without it the result must not share memory the adapter will
   * write again.
   */
  make(index: number, slot: number, reuse: boolean): Promise<T>;
}

export interface StreamOptions {
  /** First index (default 0). */
  start?: number;
  /** How many samples (default: up to the source's end). */
  count?: number;
  /** Samples made ahead of the consumer (default 2; 0 makes each sample when asked for). */
  prefetch?: number;
  /** Aborting stops the stream: next() rejects with an AbortError once in-flight samples finish. */
  signal?: AbortSignal;
  /** Recycle sample buffers (valid until the next next(); see the ownership rule above). Default false. */
  reuse?: boolean;
}

export const STREAM_OPTION_KEYS = ['start', 'count', 'prefetch', 'signal', 'reuse'] as const;
export const DEFAULT_PREFETCH = 2;
const MAX_PREFETCH = 64;
const UINT32_END = 2 ** 32;

/** What an aborted stream throws: `name` 'AbortError' (as Node's own APIs), `code` 'ABORTED'. */
export class AbortError extends MedsynthError {
  constructor(signal: AbortSignal) {
    const reason = signal.reason;
    const why = typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : 'aborted';
    super('ABORTED', `sample stream aborted (${why})`, { cause: reason });
    this.name = 'AbortError';
  }
}

interface Pending<T> {
  index: number;
  slot: number;
  result: Promise<T>;
}

/**
 * The async iterator over [start, start + count) of an adapter. Calls to next() and return()
 * are served one after another in the order they were made.
 */
export class SampleStream<T> implements AsyncIterableIterator<T> {
  readonly start: number;
  readonly end: number;
  readonly prefetch: number;
  readonly reuse: boolean;
  private readonly signal?: AbortSignal;
  private readonly queue: Pending<T>[] = [];
  private readonly freeSlots: number[];
  private held = -1;
  private nextIndex: number;
  /** Nothing new may start (return(), abort or a failure). */
  private stopped = false;
  private finished = false;
  private chain: Promise<unknown> = Promise.resolve();
  /** Rejects the next() now waiting for a sample, if any (set only while one waits). */
  private wakeOnAbort?: (e: Error) => void;
  private readonly onAbort = () => {
    this.stopped = true;
    this.wakeOnAbort?.(new AbortError(this.signal!));
  };

  constructor(
    private readonly adapter: SampleAdapter<T>,
    options: StreamOptions = {},
  ) {
    if (options === null || typeof options !== 'object') throw invalidParameter('stream options', 'an object', options);
    checkKnownKeys('stream options', options, STREAM_OPTION_KEYS);
    const sourceEnd = adapter.end ?? UINT32_END;
    this.start = checkInteger('start', options.start ?? 0, 0, sourceEnd);
    const count = checkInteger('count', options.count ?? sourceEnd - this.start, 0, sourceEnd - this.start);
    this.end = this.start + count;
    this.prefetch = checkInteger('prefetch', options.prefetch ?? DEFAULT_PREFETCH, 0, MAX_PREFETCH);
    if (options.reuse !== undefined && typeof options.reuse !== 'boolean') throw invalidParameter('reuse', 'a boolean', options.reuse);
    this.reuse = options.reuse ?? false;
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidParameter('signal', 'an AbortSignal', options.signal);
    this.signal = options.signal;
    this.nextIndex = this.start;
    this.freeSlots = Array.from({ length: this.prefetch + 1 }, (_, k) => this.prefetch - k);
    if (this.signal?.aborted) this.onAbort();
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Samples started so far (made, being made, or dropped by a stop). */
  get started(): number {
    return this.nextIndex - this.start;
  }

  next(): Promise<IteratorResult<T>> {
    return this.serve(() => this.step());
  }

  /** Stops the stream (what `break` calls): resolves once the samples in flight have finished. */
  return(): Promise<IteratorResult<T>> {
    this.stopped = true;
    return this.serve(async () => {
      await this.finish();
      return { done: true, value: undefined };
    });
  }

  private serve(fn: () => Promise<IteratorResult<T>>): Promise<IteratorResult<T>> {
    const p = this.chain.then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async step(): Promise<IteratorResult<T>> {
    if (this.finished) return { done: true, value: undefined };
    if (this.held >= 0) this.freeSlots.push(this.held);
    this.held = -1;
    this.fill();
    const head = this.queue.shift();
    if (!head || this.signal?.aborted) {
      await this.finish(head);
      if (this.signal?.aborted) throw new AbortError(this.signal);
      return { done: true, value: undefined };
    }
    let value: T;
    try {
      value = await this.awaitUnlessAborted(head.result);
    } catch (err) {
      this.stopped = true;
      await this.finish(head);
      throw err instanceof MedsynthError ? err : MedsynthError.fromNative(err);
    }
    this.held = head.slot;
    return { done: false, value };
  }

  /**
   * The sample, or an AbortError as soon as the signal fires. (Not Promise.race against one
   * long-lived promise: every race would leave a reaction on it holding its sample.)
   */
  private awaitUnlessAborted(result: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const wake = (e: Error) => reject(e);
      this.wakeOnAbort = wake;
      result.then(resolve, reject).finally(() => {
        if (this.wakeOnAbort === wake) this.wakeOnAbort = undefined;
      });
    });
  }

  /** Starts samples while there is a free slot, up to prefetch + 1 in the queue. */
  private fill(): void {
    while (!this.stopped && this.nextIndex < this.end && this.freeSlots.length > 0) {
      const slot = this.freeSlots.pop()!;
      const index = this.nextIndex++;
      const result = (async () => this.adapter.make(index, slot, this.reuse))();
      result.catch(() => undefined); // awaited in turn; a stop drops it without an unhandled rejection
      this.queue.push({ index, slot, result });
    }
  }

  /** Nothing more starts; waits for what is in flight, then releases everything. */
  private async finish(head?: Pending<T>): Promise<void> {
    this.stopped = true;
    const inFlight = [...(head ? [head] : []), ...this.queue.splice(0)];
    await Promise.allSettled(inFlight.map((p) => p.result));
    this.finished = true;
    this.held = -1;
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** Streams samples [start, start + count) of `adapter` (the generic form of `samples`). */
export function streamSamples<T>(adapter: SampleAdapter<T>, options: StreamOptions = {}): SampleStream<T> {
  if (adapter === null || typeof adapter !== 'object' || typeof adapter.make !== 'function') {
    throw invalidParameter('adapter', 'an object with make(index, slot, reuse)', adapter);
  }
  return new SampleStream(adapter, options);
}
