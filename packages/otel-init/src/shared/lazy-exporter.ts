// Load-the-exporter-on-first-use, for every signal. An OTLP exporter is the heaviest thing a signal
// loads (the span exporter: ~170 modules with its transformer, about 70 ms and several MiB), and
// nothing needs it before the first export: tracing's DeferredExporter and metrics' OTLP exporter
// both build it here, at its first export (or flush), never in postfork.
// Structural types only, so this file does not depend on an SDK version.
import { describeError, isInstance } from '@forkhooks/core';

/** An export's outcome, as an exporter hands it to its result callback. */
export interface ExportResult {
  code: number;
  error?: Error;
}

/** The part of a SpanExporter otel-init wraps. */
export interface ExporterLike<S> {
  export(spans: S[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** What a lazily built exporter must have (a span or a metric exporter). */
interface Stoppable {
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

const FAILED = 1;

/** An exporter built by `create` when first needed; flush and shutdown load nothing if nothing needed it. */
export class LazyExporter<E extends Stoppable> {
  #exporter: E | undefined;

  constructor(private readonly create: () => E) {}

  /** The exporter, built now if it was not: throws what `create` throws. */
  get(): E {
    return (this.#exporter ??= this.create());
  }

  /**
   * Hands the exporter (built now if needed) to `use`, which starts an export that reports to `done`.
   * A throw (a failed load, or from the exporter) fails that export through `done` instead: with no
   * caller left to catch it, it would be uncaught, and a failed export is counted and reported.
   */
  export(use: (exporter: E) => void, done: (result: ExportResult) => void): void {
    try {
      use(this.get());
    } catch (error) {
      done({ code: FAILED, error: isInstance(error, Error) ? error : new Error(describeError(error)) });
    }
  }

  /** Flushes the exporter if it was built. */
  forceFlush(): Promise<void> {
    return this.#exporter?.forceFlush?.() ?? Promise.resolve();
  }

  /** Stops the exporter if it was built; if nothing ever needed it, there is nothing to load or stop. */
  shutdown(): Promise<void> {
    return this.#exporter?.shutdown() ?? Promise.resolve();
  }
}
