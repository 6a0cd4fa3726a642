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
// Beyond the BSP (issue 21): a span whose encoding throws is dropped alone (the batch rewinds to where
// it began); a batch is also closed before its request would pass maxRequestBytes, and a span bigger
// than that alone is dropped; a 413 is answered with the batch in halves (otlp/halving-send.ts). Each
// drop is counted with its cause and said per episode (span-drops.ts gives the detail).
// Sends start on the next turn of the event loop, never inside the span.end() that filled a batch,
// in a context with tracing suppressed: the sender's own HTTP request is never traced.
// One file over 200 lines: the queue, the batches' lifecycle, the sends and the rescue's hand-over all
// read and write the same state (#open, #ready, #queued, #handing, #inFlight); split, each part would
// reach into the others' fields.
import { context, type Context } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { BatchOptions } from './config';
import type { SpanCounter } from './stats';
import { sendHalving } from '../otlp/halving-send';
import type { SendResult } from '../otlp/http-sender';
import { spanText } from '../otlp/span-text';
import type { EncodedRequest, TraceBatch, TraceEncoding } from '../otlp/trace-encoding';
import { coercionWarner, refusedAsTooBigDetail, tooBigDetail, unencodableDetail } from './span-drops';

const SAMPLED = 1;

/** What the processor is built from. */
export interface EncodingProcessorOptions {
  encoding: TraceEncoding;
  /** Sends one batch's bytes; never rejects (otlp/http-sender.ts). */
  send(body: Uint8Array): Promise<SendResult>;
  /** Called once shutdown's flush settled (closes the sender's connections). */
  stop(): void;
  batch: Required<BatchOptions>;
  /** A request's body is at most this many bytes (FORKHOOKS_OTLP_MAX_REQUEST_BYTES). */
  maxRequestBytes: number;
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

  /** Says once per field that a name the API forbids was coerced to text. */
  readonly #onCoerced = coercionWarner();

  constructor(private readonly options: EncodingProcessorOptions) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & SAMPLED) === 0) return;
    const { counter, batch } = this.options;
    if (this.#stopped || counter.closed) return counter.spanEnded(false, 'after-shutdown');
    if (this.#queued >= batch.maxQueueSize) return counter.spanEnded(false, 'queue-full');
    const limit = this.options.maxRequestBytes;
    let open = this.openBatch();
    let bytes: number;
    try {
      bytes = open.add(span, limit);
      // It would pass the limit with the spans before it (and could fit alone: what it adds is under
      // the limit): they go now, it starts the next batch.
      if (bytes > limit && open.count > 0 && bytes - open.bytes <= limit) {
        this.closeOpen();
        this.pump();
        open = this.openBatch();
        bytes = open.add(span, limit);
      }
    } catch (error) {
      return counter.spanEnded(false, 'unencodable', unencodableDetail(spanText(span.name, 'span name', undefined), error));
    }
    if (bytes > limit) return counter.spanEnded(false, 'too-big', tooBigDetail(spanText(span.name, 'span name', undefined), bytes, limit));
    counter.spanEnded(true);
    this.#queued++;
    if (open.count >= batch.maxExportBatchSize || open.bytes >= limit) {
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
    const taken = [...this.#handing, ...ready].filter((batch) => batch.count > 0).map((batch) => ({ spans: batch.count, body: batch.take().body }));
    this.#handing.clear();
    return taken;
  }

  private openBatch(): TraceBatch {
    return (this.#open ??= this.options.encoding.newBatch(this.#onCoerced));
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
          let request: EncodedRequest;
          try {
            request = batch.take();
          } catch (error) {
            settle({ code: 1, error: error as Error });
            return resolve(error as Error);
          }
          void sendHalving(request, this.options.send).then((outcome) => {
            const { firstTooBig } = outcome;
            const tooBig = firstTooBig && refusedAsTooBigDetail(firstTooBig.name, firstTooBig.bytes, this.options.maxRequestBytes, firstTooBig.error);
            // A collector that failed a part otherwise (after 413s for the whole) fails the export: its
            // delivered parts are then counted with the failure, over-counting the loss, never hiding it.
            if (outcome.failed > 0) settle({ code: 1, error: outcome.error });
            else settle({ code: 0, rejected: outcome.rejected, tooBig: outcome.tooBig, tooBigDetail: tooBig });
            resolve(outcome.failed > 0 ? outcome.error : undefined);
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
