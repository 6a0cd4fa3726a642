// Counting what the SDK does not report: the BatchSpanProcessor drops spans silently when its
// queue is full, and the exporter fails whole batches ("Concurrent export limit reached").
// Structural types only, so this file does not depend on an SDK version.

/** What `handle.stats()` returns. Every span ended is, at any moment, queued, exported or dropped. */
export interface TracingStats {
  /** Sampled spans ended in this worker (those the processor is asked to export). */
  spansEnded: number;
  /** Spans the collector accepted. */
  spansExported: number;
  /** Spans lost: queue full, failed export, ended after shutdown, or left unsent at the shutdown deadline. */
  spansDropped: number;
  /** Spans waiting in the queue or in an export in flight. */
  spansPending: number;
  /** Export calls that failed (each loses its whole batch). */
  exportFailures: number;
}

interface ExportResult {
  code: number;
  error?: Error;
}

/** The part of a SpanExporter we wrap. */
export interface ExporterLike<S> {
  export(spans: S[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** Keeps the counts; the processor and exporter wrappers feed it. */
export class SpanCounter {
  private ended = 0;
  private exported = 0;
  private dropped = 0;
  private failures = 0;
  /** Mirrors the processor's queue: it drops a span exactly when its queue holds maxQueueSize. */
  private queued = 0;
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly maxQueueSize: number,
    private readonly onFirstFailure: (error: Error | undefined) => void,
    private readonly onRecovered: (lost: number) => void,
  ) {}

  /** A sampled span ended and is handed to the batch processor. */
  spanEnded(): void {
    this.ended++;
    if (this.closed || this.queued >= this.maxQueueSize) this.dropped++;
    else this.queued++;
  }

  /** Wraps an exporter so every batch's outcome is counted. */
  wrap<S>(exporter: ExporterLike<S>): ExporterLike<S> {
    return {
      export: (spans, done) => {
        this.queued = Math.max(0, this.queued - spans.length);
        this.inFlight += spans.length;
        exporter.export(spans, (result) => {
          this.inFlight -= spans.length;
          if (result.code === 0) {
            this.exported += spans.length;
            if (this.failing) this.recover();
          } else {
            this.fail(spans.length, result.error);
          }
          done(result);
        });
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
  }

  /** After shutdown (or its deadline): what is still queued is lost, and so is every later span. An export in flight still counts when it settles. */
  close(): void {
    this.closed = true;
    this.dropped += this.queued;
    this.queued = 0;
  }

  snapshot(): TracingStats {
    return {
      spansEnded: this.ended,
      spansExported: this.exported,
      spansDropped: this.dropped,
      spansPending: this.queued + this.inFlight,
      exportFailures: this.failures,
    };
  }

  private failing = false;
  private lostWhileFailing = 0;

  private fail(spans: number, error: Error | undefined): void {
    this.failures++;
    this.dropped += spans;
    this.lostWhileFailing += spans;
    // One warning when exports start failing, one line when they recover: not one per batch.
    if (!this.failing) {
      this.failing = true;
      this.onFirstFailure(error);
    }
  }

  private recover(): void {
    this.failing = false;
    this.onRecovered(this.lostWhileFailing);
    this.lostWhileFailing = 0;
  }
}
