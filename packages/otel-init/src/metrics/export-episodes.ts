import { describeError, log, redactUrl } from '@forkhooks/core';
import type * as Mismatch from '../otlp/protocol-mismatch';
import type { MetricsConfig } from './config';

// A failed metrics export otherwise reaches only OpenTelemetry's diag logger, which most apps never
// set: a collector that is down would go unnoticed. As for spans (stats.ts's SpanCounter), one
// warning when exports start failing and one line when they recover, not one per interval.

/** The outcome of one export, as the exporter hands it to its result callback. */
export interface ExportOutcome {
  code: number;
  error?: Error;
}

/** Says when metrics exports start failing, and when they work again. */
export class MetricsExportEpisodes {
  #failing = false;
  #failedExports = 0;
  #hinted = false;
  /** A connection error seen since the last success: the HTTP exporter retries it silently, so its result may only say "timed out". */
  #socketError: Error | undefined;
  readonly #shown: string;

  constructor(private readonly config: Pick<MetricsConfig, 'endpoint' | 'protocol' | 'protocolSetting'>) {
    this.#shown = redactUrl(config.endpoint);
  }

  /** A connection error from the exporter's agent, kept as the likely cause of the export's failure. */
  noteSocketError(error: Error): void {
    this.#socketError = error;
  }

  /** One export settled. */
  settled(outcome: ExportOutcome): void {
    if (outcome.code === 0) {
      this.#socketError = undefined;
      if (this.#failing) {
        log.info(
          `metrics export to ${this.#shown} recovered (${this.#failedExports} export${this.#failedExports === 1 ? '' : 's'} failed while it was down; ` +
            'the counters are cumulative, so this export carried their totals)',
        );
      }
      this.#failing = false;
      this.#failedExports = 0;
      return;
    }
    this.#failedExports += 1;
    if (this.#failing) return;
    this.#failing = true;
    log.warn(redactUrl(`metrics export to ${this.#shown} failed: ${this.cause(outcome.error)}; ${this.hint(outcome.error)}the next interval retries`));
  }

  private cause(error: Error | undefined): string {
    const reported = error ? describeError(error) : 'unknown error';
    if (!this.#socketError || reported.includes(this.#socketError.message)) return reported;
    return `${this.#socketError.message} (${reported})`;
  }

  /** The advice of protocol-mismatch.ts, once per process; loaded on the first failure only. */
  private hint(error: Error | undefined): string {
    if (this.#hinted) return '';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { protocolMismatchHint } = require('../otlp/protocol-mismatch') as typeof Mismatch;
    const hint = protocolMismatchHint(this.config, error);
    if (hint === undefined) return '';
    this.#hinted = true;
    return `${hint}; `;
  }
}
