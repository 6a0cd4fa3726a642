// Counting what the SDK does not report: the BatchSpanProcessor drops spans silently when its
// queue is full, and the exporter fails whole batches ("Concurrent export limit reached").
// forkhooks' own processor (encoding-processor.ts) feeds the same counts, saying itself
// whether it queued a span.
// Structural types only, so this file does not depend on an SDK version. What the user is told
// when exports fail and recover is tracing/lost-spans.ts's; when, is shared/episodes.ts's.
import { FailureEpisodes } from '../shared/episodes';
import type { ExporterLike, ExportResult } from '../shared/lazy-exporter';

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

/** Keeps the counts; the processor and exporter wrappers feed it. */
export class SpanCounter {
  private ended = 0;
  private exported = 0;
  private dropped = 0;
  private failures = 0;
  /** Of `dropped`: spans a collector answered for and refused (OTLP partial success); no flush failed for them. */
  private refused = 0;
  /** Mirrors the processor's queue: it drops a span exactly when its queue holds maxQueueSize. */
  private queued = 0;
  /** Exports sent and not settled yet, by batch. */
  private readonly inFlight = new Set<{ spans: number; abandoned: boolean }>();
  private closed = false;
  /** The last export or connection error, for the line that says why a flush failed. */
  private lastError: Error | undefined;

  constructor(
    private readonly maxQueueSize: number,
    private readonly onFirstFailure: (error: Error | undefined) => void,
    private readonly onRecovered: (lost: number) => void,
  ) {}

  /**
   * A sampled span ended and is handed to the processor. `accepted`: whether it queued the span;
   * forkhooks' processor says so, the BatchSpanProcessor's queue is mirrored (it drops a span exactly
   * when its queue holds maxQueueSize).
   */
  spanEnded(accepted = this.queued < this.maxQueueSize): void {
    this.ended++;
    if (this.closed || !accepted) this.dropped++;
    else this.queued++;
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
   */
  exportStarted(spans: number): (result: ExportResult & { rejected?: number }) => void {
    this.queued = Math.max(0, this.queued - spans);
    const batch = { spans, abandoned: false };
    this.inFlight.add(batch);
    return (result) => {
      this.inFlight.delete(batch);
      const rejected = result.code === 0 ? Math.min(spans, Math.max(0, result.rejected ?? 0)) : 0;
      if (batch.abandoned) {
        // Counted as dropped at close(); it got through after all.
        if (result.code === 0) {
          this.dropped -= spans - rejected;
          this.exported += spans - rejected;
        } else {
          this.failures++;
        }
      } else if (result.code === 0) {
        this.exported += spans - rejected;
        this.dropped += rejected;
        this.refused += rejected;
        this.episodes.succeeded();
        this.droppedAtLastSuccess = this.dropped;
      } else {
        this.fail(spans, result.error);
      }
    };
  }

  /**
   * After shutdown (or its deadline): what is still queued is lost, and so is every later span. An
   * export still in flight is counted as dropped too, since the process may end before it settles
   * (then stats() at exit accounts for every span); if it does settle and succeeded, it moves to exported.
   */
  close(): void {
    this.closed = true;
    this.dropped += this.queued;
    this.queued = 0;
    for (const batch of this.inFlight) {
      if (batch.abandoned) continue;
      batch.abandoned = true;
      this.dropped += batch.spans;
    }
  }

  /** A connection error the exporter will retry on its own (no export result yet): kept as the likely cause. */
  noteError(error: Error): void {
    this.lastError = error;
  }

  /** Spans dropped because no export delivered them: `spansDropped` without those a collector refused in an answered export. */
  undelivered(): number {
    return this.dropped - this.refused;
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

  private fail(spans: number, error: Error | undefined): void {
    this.failures++;
    if (error) this.lastError = error;
    this.dropped += spans;
    this.episodes.failed(error);
  }
}
