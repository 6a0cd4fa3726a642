// forkhooks' span processor for OTLP/HTTP (issue 14): each span is encoded into its batch's bytes
// when it ends and is not kept, so no span object waits in a queue (the stock BatchSpanProcessor's
// queue held them through many scavenges). What users know of the BatchSpanProcessor is kept:
// - OTEL_BSP_*: a batch is sent when it holds maxExportBatchSize spans, or scheduledDelayMillis
//   after its first span; spans encoded and not yet sent are at most maxQueueSize, beyond that a
//   span is dropped (and counted), as the BSP's queue does;
// - its concurrency: one scheduled send at a time (the next batch waits for it), while forceFlush
//   and shutdown send every batch at once and wait for all, in-flight ones included;
// - only sampled spans; timers are unref'd;
// - shutdown sends until nothing is left: spans ended while it sends (a timer of the app's that
//   still runs during the stop) are sent too, within the deadline; spans ended after it are dropped
//   (and counted, and said: stats.ts's drop causes);
// - OTEL_BSP_EXPORT_TIMEOUT: every send settles within it, since the sender gives up at the
//   exporter timeout (retries included), which config.ts keeps at or below it.
// Sends start on the next turn of the event loop, never inside the span.end() that filled a batch,
// in a context with tracing suppressed: the sender's own HTTP request is never traced.
import { context, type Context } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { BatchOptions } from './config';
import type { SpanCounter } from './stats';
import type { SendResult } from '../otlp/http-sender';
import type { TraceBatch, TraceEncoding } from '../otlp/trace-encoding';

const SAMPLED = 1;

/** What the processor is built from. */
export interface EncodingProcessorOptions {
  encoding: TraceEncoding;
  /** Sends one batch's bytes; never rejects (otlp/http-sender.ts). */
  send(body: Uint8Array): Promise<SendResult>;
  /** Called once shutdown's flush settled (closes the sender's connections). */
  stop(): void;
  batch: Required<BatchOptions>;
  counter: SpanCounter;
  /** The context sends run in: tracing suppressed (the SDK's suppressTracing(ROOT_CONTEXT)). */
  quiet: Context;
}

/** A SpanProcessor (structurally: both SDK lines take it) that encodes spans as they end and sends them in batches. */
export class EncodingSpanProcessor {
  /** The batch spans are encoded into now. */
  #open: TraceBatch | undefined;
  /** Closed batches (full, or their delay passed) waiting for the scheduled send. */
  readonly #ready: TraceBatch[] = [];
  /** Spans in #open and #ready: encoded, not yet handed to a send. */
  #queued = 0;
  #timer: NodeJS.Timeout | undefined;
  /** A scheduled send is in flight (one at a time, as the BSP). */
  #busy = false;
  readonly #inFlight = new Set<Promise<Error | undefined>>();
  /** Batches handed to a send that starts on the next turn: their bytes are not taken yet (a rescue takes them). */
  readonly #handing = new Set<TraceBatch>();
  #stopping: Promise<void> | undefined;
  /** Shutdown's flush ended (or the counter closed at its deadline): later spans are dropped. */
  #stopped = false;

  constructor(private readonly options: EncodingProcessorOptions) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & SAMPLED) === 0) return;
    const { counter, batch } = this.options;
    if (this.#stopped || counter.closed) return counter.spanEnded(false, 'after-shutdown');
    if (this.#queued >= batch.maxQueueSize) return counter.spanEnded(false, 'queue-full');
    const open = (this.#open ??= this.options.encoding.newBatch());
    try {
      open.add(span);
    } catch (error) {
      counter.noteError(error as Error);
      return counter.spanEnded(false, 'unencodable');
    }
    counter.spanEnded(true);
    this.#queued++;
    if (open.count >= batch.maxExportBatchSize) {
      this.closeOpen();
      this.pump();
    } else if (this.#timer === undefined) {
      this.#timer = this.quietly(() =>
        setTimeout(() => {
          this.#timer = undefined;
          this.closeOpen();
          this.pump();
        }, batch.scheduledDelayMillis).unref(),
      );
    }
  }

  /** Sends every span ended so far, all batches at once; resolves when every send settled, rejects with a failed one's error (as the BSP). */
  forceFlush(): Promise<void> {
    return this.#stopping ?? this.flushAll();
  }

  /** Flushes until nothing is left to send (spans ended meanwhile included), then stops: later spans are dropped (and counted). Idempotent. */
  shutdown(): Promise<void> {
    this.#stopping ??= this.drain().finally(() => {
      this.#stopped = true;
      clearTimeout(this.#timer);
      this.options.stop();
    });
    return this.#stopping;
  }

  /** flushAll, again while spans ended during the last round wait or a send is in flight; stops when the counter closed (the deadline). Rejects with the first failed send's error. */
  private async drain(): Promise<void> {
    let failed: unknown;
    do {
      await this.flushAll().catch((error: unknown) => (failed ??= error));
    } while (!this.options.counter.closed && ((this.#open?.count ?? 0) > 0 || this.#ready.length > 0 || this.#inFlight.size > 0));
    if (failed !== undefined) throw failed;
  }

  private async flushAll(): Promise<void> {
    this.closeOpen();
    while (this.#ready.length > 0) void this.dispatch(this.#ready.shift() as TraceBatch);
    const errors = await Promise.all([...this.#inFlight]);
    const failed = errors.find((error) => error !== undefined);
    if (failed) throw failed;
  }

  /**
   * For the rescue of a stuck main thread (tracing/rescue.ts), which cannot send: the bytes of every
   * batch not yet handed to the sender, taken out (the queue is empty after; a send due on the next
   * turn finds its batch empty and sends nothing).
   */
  takeUnsent(): Array<{ body: Uint8Array; spans: number }> {
    this.closeOpen();
    const ready = this.#ready.splice(0);
    for (const batch of ready) {
      this.#queued -= batch.count;
      this.options.counter.exportStarted(batch.count);
    }
    const taken = [...this.#handing, ...ready].filter((batch) => batch.count > 0).map((batch) => ({ spans: batch.count, body: batch.take() }));
    this.#handing.clear();
    return taken;
  }

  /** Moves the open batch, if it holds spans, to the ready list. */
  private closeOpen(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#open === undefined || this.#open.count === 0) return;
    this.#ready.push(this.#open);
    this.#open = undefined;
  }

  /** The scheduled path: the next ready batch, unless a scheduled send is in flight. */
  private pump(): void {
    if (this.#busy || this.#ready.length === 0) return;
    this.#busy = true;
    void this.dispatch(this.#ready.shift() as TraceBatch).then(() => {
      this.#busy = false;
      this.pump();
    });
  }

  /** Hands `batch` to a send on the next turn of the event loop; resolves with its error, if it failed. */
  private dispatch(batch: TraceBatch): Promise<Error | undefined> {
    const spans = batch.count;
    this.#queued -= spans;
    const settle = this.options.counter.exportStarted(spans);
    this.#handing.add(batch);
    const sent = new Promise<Error | undefined>((resolve) => {
      this.quietly(() =>
        setImmediate(() => {
          this.#handing.delete(batch);
          // Taken by a rescue (takeUnsent): it sent them.
          if (batch.count === 0) return resolve(undefined);
          let body: Uint8Array;
          try {
            body = batch.take();
          } catch (error) {
            settle({ code: 1, error: error as Error });
            return resolve(error as Error);
          }
          void this.options.send(body).then((result) => {
            settle(result.ok ? { code: 0, rejected: result.rejected } : { code: 1, error: result.error });
            resolve(result.ok ? undefined : result.error);
          });
        }),
      );
    });
    this.#inFlight.add(sent);
    void sent.then(() => this.#inFlight.delete(sent));
    return sent;
  }

  /** Runs `fn` in the quiet context, so what it schedules (timers, the send) carries no span of the app's. */
  private quietly<T>(fn: () => T): T {
    return context.with(this.options.quiet, fn);
  }
}
