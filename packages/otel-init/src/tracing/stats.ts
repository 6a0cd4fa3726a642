// Counting what the SDK does not report: the BatchSpanProcessor drops spans silently when its
// queue is full, and the exporter fails whole batches ("Concurrent export limit reached").
// forkhooks' own processor (encoding-processor.ts) feeds the same counts, saying itself
// whether it queued a span, and why not.
// Structural types only, so this file does not depend on an SDK version. What the user is told
// when exports fail and recover, and when spans are dropped, is tracing/lost-spans.ts's; when, is
// shared/episodes.ts's; the drops by cause, drop-causes.ts's.
// A little over 200 lines, one class: every count must agree with the others at any moment (ended =
// pending + exported + dropped), and a split would have to share the counts it keeps in step.
import { FailureEpisodes } from '../shared/episodes';
import { DropsByCause, type DropCause, type DropReporter } from './drop-causes';
import type { ExporterLike, ExportResult } from '../shared/lazy-exporter';

export type { DropCause } from './drop-causes';

/** What `handle.stats()` returns. Every span ended is, at any moment, queued, exported or dropped. */
export interface TracingStats {
  /** Sampled spans ended in this worker (those the processor is asked to export). */
  spansEnded: number;
  /** Spans the collector accepted. */
  spansExported: number;
  /** Spans lost: queue full, failed export, refused by the collector (OTLP partial success), ended after shutdown, or unsent or still in flight at the shutdown deadline. */
  spansDropped: number;
  /** Spans waiting in the queue or in an export in flight. */
  spansPending: number;
  /** Export calls that failed (each loses its whole batch). */
  exportFailures: number;
}

/** SpanCounter.mark(): counts when the flush at exit started. */
export interface FlushMark {
  undelivered: number;
  ended: number;
  exported: number;
  errors: number;
}

/** Keeps the counts; the processor and exporter wrappers feed it. */
export class SpanCounter {
  private ended = 0;
  private exported = 0;
  private dropped = 0;
  private failures = 0;
  /** Mirrors the processor's queue: it drops a span exactly when its queue holds maxQueueSize. */
  private queued = 0;
  /** Exports sent and not settled yet, by batch. */
  private readonly inFlight = new Set<{ spans: number; abandoned: boolean }>();
  private isClosed = false;
  /** The last export or connection error, for the line that says why a flush failed. */
  private lastError: Error | undefined;
  /** Export and connection errors seen so far. */
  private errors = 0;

  /** Drops by cause (those of failed exports and of the flush's deadline are not in it), each said per episode. */
  private readonly drops: DropsByCause;
  /** The last message of a collector's partial refusal, for the line that says it. */
  private refusal: string | undefined;

  constructor(
    private readonly maxQueueSize: number,
    private readonly onFirstFailure: (error: Error | undefined) => void,
    private readonly onRecovered: (lost: number) => void,
    dropLines: DropReporter = () => ({ started: () => undefined, ended: () => undefined }),
  ) {
    this.drops = new DropsByCause(dropLines);
  }

  /**
   * A sampled span ended and is handed to the processor. `accepted`: whether it queued the span;
   * forkhooks' processor says so (and `cause`, when it did not), the BatchSpanProcessor's queue is
   * mirrored (it drops a span exactly when its queue holds maxQueueSize).
   */
  spanEnded(accepted = this.queued < this.maxQueueSize, cause?: DropCause, detail?: string): void {
    this.ended++;
    if (this.isClosed) this.drop('after-shutdown', 1);
    else if (!accepted) this.drop(cause ?? 'queue-full', 1, detail);
    else this.queued++;
  }

  /** close() was called: the flush at exit ended or its deadline passed. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** `spans` queued spans were dropped before any export (a span found too big to send): counted, and said by cause. */
  droppedQueued(cause: DropCause, spans: number, detail?: string): void {
    this.queued = Math.max(0, this.queued - spans);
    this.drop(cause, spans, detail);
  }

  /** What a collector said when it refused spans (OTLP partial success): the refused cause's line quotes it. */
  noteRefusal(message: string | undefined): void {
    if (message) this.refusal = message;
  }

  /** Spans dropped for `cause` so far. */
  droppedFor(cause: DropCause): number {
    return this.drops.of(cause);
  }

  /** Wraps an exporter so every batch's outcome is counted. */
  wrap<S>(exporter: ExporterLike<S>): ExporterLike<S> {
    return {
      export: (spans, done) => {
        const settle = this.exportStarted(spans.length);
        exporter.export(spans, (result) => {
          settle(result);
          done(result);
        });
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
  }

  /**
   * `spans` queued spans leave the queue in one export; call what this returns with its outcome.
   * `rejected`: spans of a successful export the collector refused (OTLP partial success), counted as dropped.
   * `tooBig`: spans of a successful export the collector answered 413 for alone (the rest was sent in halves), dropped as too-big.
   */
  exportStarted(spans: number): (result: ExportResult & { rejected?: number; tooBig?: number; tooBigDetail?: string }) => void {
    this.queued = Math.max(0, this.queued - spans);
    const batch = { spans, abandoned: false };
    this.inFlight.add(batch);
    return (result) => {
      this.inFlight.delete(batch);
      const tooBig = result.code === 0 ? Math.min(batch.spans, result.tooBig ?? 0) : 0;
      if (tooBig > 0) {
        // close() counted an abandoned batch as dropped: these spans are now dropped for their cause.
        if (batch.abandoned) this.dropped -= tooBig;
        this.drop('too-big', tooBig, result.tooBigDetail);
      }
      const sent = batch.spans - tooBig;
      const rejected = result.code === 0 ? Math.min(sent, Math.max(0, result.rejected ?? 0)) : 0;
      if (batch.abandoned) {
        // Counted as dropped and failed at close(); it got through after all, all but what the collector refused.
        if (result.code === 0) {
          this.failures--;
          this.dropped -= sent;
          this.exported += sent - rejected;
          this.drop('refused', rejected, this.refusal);
        }
      } else if (result.code === 0) {
        this.exported += sent - rejected;
        if (rejected > 0) this.drop('refused', rejected, this.refusal);
        else this.drops.recovered('refused');
        this.episodes.succeeded();
        this.droppedAtLastSuccess = this.dropped;
      } else {
        this.fail(spans, result.error);
      }
    };
  }

  /**
   * After shutdown (or its deadline): what is still queued is lost, and so is every later span. An
   * export still in flight is counted as dropped, and as a failed export, too, since the process may
   * end before it settles (then stats() at exit accounts for every span); if it does settle and
   * succeeded, it moves to exported. Drop episodes still running end with their count.
   */
  close(): void {
    this.isClosed = true;
    this.dropped += this.queued;
    this.queued = 0;
    for (const batch of this.inFlight) {
      if (batch.abandoned) continue;
      batch.abandoned = true;
      this.dropped += batch.spans;
      this.failures++;
    }
    this.drops.close();
  }

  /** A connection error the exporter will retry on its own (no export result yet): kept as the likely cause. */
  noteError(error: Error): void {
    this.lastError = error;
    this.errors++;
  }

  /** The counts the flush's line at exit compares with: taken when the flush starts. */
  mark(): FlushMark {
    return { undelivered: this.undelivered(), ended: this.ended, exported: this.exported, errors: this.errors };
  }

  /**
   * Spans lost by exports: failed, or still queued or in flight when the flush ended. `spansDropped`
   * without the spans dropped for a cause (DropCause: a full queue, refused by a collector, ...), which
   * their own lines said.
   */
  undelivered(): number {
    return this.dropped - this.drops.total();
  }

  /** Export and connection errors seen so far (failed exports, and errors the exporter retried). */
  errorCount(): number {
    return this.errors;
  }

  /** The message of the last export or connection error, if any. */
  lastCause(): string | undefined {
    return this.lastError?.message;
  }

  snapshot(): TracingStats {
    return {
      spansEnded: this.ended,
      spansExported: this.exported,
      spansDropped: this.dropped,
      spansPending: this.queued + [...this.inFlight].reduce((sum, b) => sum + (b.abandoned ? 0 : b.spans), 0),
      exportFailures: this.failures,
    };
  }

  /** One warning when exports start failing, one line when they recover: not one per batch. */
  private readonly episodes = new FailureEpisodes<Error | undefined>(
    (error) => this.onFirstFailure(error),
    () => this.onRecovered(this.dropped - this.droppedAtLastSuccess),
  );
  /**
   * `dropped` when an export last succeeded. An outage starts before its first failed export is
   * known: the queue fills (and drops) while that export is still in flight. So the recovery line
   * counts every drop since the last success, queue-full drops included, not only failed batches.
   */
  private droppedAtLastSuccess = 0;

  private drop(cause: DropCause, spans: number, detail?: string): void {
    this.dropped += spans;
    this.drops.add(cause, spans, detail);
  }

  private fail(spans: number, error: Error | undefined): void {
    this.failures++;
    this.errors++;
    if (error) this.lastError = error;
    this.dropped += spans;
    this.episodes.failed(error);
  }
}
