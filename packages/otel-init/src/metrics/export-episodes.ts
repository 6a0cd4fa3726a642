import { describeError, log, redactUrl } from '@forkhooks/core';
import { mismatchHintOnce } from '../otlp/mismatch-hint';
import type { FlushOutcome } from '../shared/bounded';
import { FailureEpisodes } from '../shared/episodes';
import type { ExportResult } from '../shared/lazy-exporter';
import type { MetricsConfig } from './config';

// A failed metrics export otherwise reaches only OpenTelemetry's diag logger, which most apps never
// set: a collector that is down would go unnoticed. As for spans (shared/episodes.ts decides when),
// one warning when exports start failing and one line when they recover, not one per interval: what
// they say is written here.

/** Says when metrics exports start failing, and when they work again. */
export class MetricsExportEpisodes {
  #failedExports = 0;
  readonly #hint: (error: Error | undefined) => string | undefined;
  readonly #episodes = new FailureEpisodes<Error | undefined>(
    (error) => log.warn(redactUrl(`metrics export to ${this.#shown} failed: ${this.cause(error)}; ${this.hint(error)}the next interval retries`)),
    () =>
      log.info(
        `metrics export to ${this.#shown} recovered (${this.#failedExports} export${this.#failedExports === 1 ? '' : 's'} failed while it was down; ` +
          'the counters are cumulative, so this export carried their totals)',
      ),
  );
  /** A connection error seen since the last success: the HTTP exporter retries it silently, so its result may only say "timed out". */
  #socketError: Error | undefined;
  readonly #shown: string;

  constructor(config: Pick<MetricsConfig, 'endpoint' | 'protocol' | 'protocolSetting'>) {
    this.#shown = redactUrl(config.endpoint);
    this.#hint = mismatchHintOnce(config);
  }

  /** A connection error from the exporter's agent, kept as the likely cause of the export's failure. */
  noteSocketError(error: Error): void {
    this.#socketError = error;
  }

  /** One export settled. */
  settled(outcome: ExportResult): void {
    if (outcome.code === 0) {
      this.#socketError = undefined;
      this.#episodes.succeeded();
      this.#failedExports = 0;
      return;
    }
    this.#failedExports += 1;
    this.#episodes.failed(outcome.error);
  }

  private cause(error: Error | undefined): string {
    const reported = error ? describeError(error) : 'unknown error';
    if (!this.#socketError || reported.includes(this.#socketError.message)) return reported;
    return `${this.#socketError.message} (${reported})`;
  }

  /** The advice of protocol-mismatch.ts, once per process (otlp/mismatch-hint.ts). */
  private hint(error: Error | undefined): string {
    const hint = this.#hint(error);
    return hint === undefined ? '' : `${hint}; `;
  }
}

/**
 * Says how the metrics flush at exit went, once that is known. Failed: said now. Not finished within
 * its share of the stop (`timeout`, `cut-off`): the export goes on while the rest of the stop runs (the
 * span flush), and often arrives, so nothing is said yet: a failure is said when it comes, and a flush
 * still running when the process exits is said then (the 'exit' event; stderr is synchronous there).
 * A flush that ends well says nothing: no metrics were lost.
 */
export function reportMetricsFlush(outcome: FlushOutcome, work: Promise<unknown>, config: Pick<MetricsConfig, 'endpoint' | 'exporters' | 'timeoutMillis'>): void {
  if (outcome.kind === 'done') return;
  const where = config.exporters.includes('otlp') ? ` to ${redactUrl(config.endpoint)}` : '';
  const warn = (why: string): void =>
    log.warn(
      redactUrl(
        `metrics flush at exit${where} failed: ${why}; the last interval's metrics were lost (bounded by OTEL_METRIC_EXPORT_TIMEOUT, ${config.timeoutMillis} ms, ` +
          'and the shutdown deadline: shutdownTimeoutMs or FORKHOOKS_SHUTDOWN_TIMEOUT_MS)',
      ),
    );
  if (outcome.kind === 'failed') return warn(describeError(outcome.error));
  const started = Date.now();
  const onExit = (): void => warn(`still running when the process exited, ${Date.now() - started} ms after its share of the stop ended (no answer${where ? ' from the collector' : ''})`);
  process.once('exit', onExit);
  work.then(
    () => {
      process.removeListener('exit', onExit);
      log.debug(`metrics flush at exit${where} finished ${Date.now() - started} ms after its share of the stop ended`);
    },
    (error: unknown) => {
      process.removeListener('exit', onExit);
      warn(describeError(error));
    },
  );
}
