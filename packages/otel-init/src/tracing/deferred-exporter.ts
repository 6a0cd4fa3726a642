import { LazyExporter, type ExporterLike } from '../shared/lazy-exporter';

// Two costs kept off a worker's start and off its requests (bench/profile.js showed both):
// - The OTLP exporter is the heaviest thing tracing loads (~170 modules with its transformer,
//   about 70 ms and several MiB), and nothing needs it before the first batch is sent. It is
//   built when first needed (an export or a flush) or, at the latest, a second after postfork,
//   when the worker is serving: off the start-up path, yet loaded before a stop has to flush.
//   The load blocks the event loop once, for tens of milliseconds, like a first export did before.
// - The BatchSpanProcessor exports a full batch synchronously from inside the span.end() that
//   filled it, so one request in every 512 spans paid for serializing the whole batch (and, the
//   first time, for loading the exporter). Exports start on the next turn of the event loop
//   instead. The context is kept (AsyncLocalStorage follows setImmediate), so the processor's
//   "suppress tracing" still covers the exporter's own HTTP request.

/** An exporter created on first use (shared/lazy-exporter.ts), whose exports start after the current call stack. */
export class DeferredExporter<S> implements ExporterLike<S> {
  readonly #lazy: LazyExporter<ExporterLike<S>>;
  #stopped = false;

  constructor(create: () => ExporterLike<S>) {
    this.#lazy = new LazyExporter(create);
  }

  /**
   * Builds the exporter `delayMs` from now unless something needed it earlier. The timer is unref'd:
   * it never keeps a process alive. A failure here is left for the first export to report.
   */
  preloadAfter(delayMs: number): this {
    setTimeout(() => {
      if (this.#stopped) return;
      try {
        this.#lazy.get();
      } catch {
        // the first export fails the same way, and that failure is counted and reported
      }
    }, delayMs).unref();
    return this;
  }

  export(spans: S[], done: (result: { code: number; error?: Error }) => void): void {
    // A failed load fails the batch, which stats() counts and the failure warning reports.
    setImmediate(() => this.#lazy.export((exporter) => exporter.export(spans, done), done));
  }

  /** Stops the exporter if it was built; if nothing ever needed it, there is nothing to load or stop. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return this.#lazy.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#lazy.forceFlush();
  }
}
