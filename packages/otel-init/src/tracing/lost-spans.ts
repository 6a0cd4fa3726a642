// What the user is told about lost spans, decided here (the counts are stats.ts's, the transport's
// advice is otlp/protocol-mismatch.ts's, shared with metrics): the line when exports start failing
// and the one when they recover, the collector's partial refusal (said once), and the line when the
// flush at exit lost spans. Each names its cause and the setting to change; none repeats per batch.
import { describeError, log, redactUrl } from '@forkhooks/core';
import { mismatchHintOnce } from '../otlp/mismatch-hint';
import type { FlushOutcome } from '../shared/bounded';
import { once } from '../shared/once';
import type { TracingConfig } from './config';
import { SpanCounter } from './stats';

/** The counter of `initTracing`, which says when span exports fail (with the protocol advice, once) and when they recover. */
export function countedSpans(config: TracingConfig): SpanCounter {
  const shown = redactUrl(config.endpoint);
  const hint = mismatchHintOnce(config);
  return new SpanCounter(
    config.batch.maxQueueSize,
    (error) => {
      const advice = hint(error);
      log.warn(
        redactUrl(
          `span export to ${shown} failed: ${error ? describeError(error) : 'unknown error'}; ${advice ? `${advice}; ` : ''}counting lost spans in stats() until it recovers`,
        ),
      );
    },
    (lost) => log.info(`span export to ${shown} recovered (${lost} spans lost while it failed)`),
  );
}

/**
 * What the sender calls when a collector accepted an export but refused some of its spans (OTLP
 * partial success; `said`: its message, redacted): counted as dropped, said once per process.
 */
export function partialRejectionWarning(endpoint: string): (rejected: number, said: string | undefined) => void {
  const first = once();
  return (rejected, said) => {
    if (!first()) return;
    const why = said ? `: ${said}` : '';
    log.warn(
      redactUrl(
        `span export to ${endpoint} partly rejected: the collector refused ${rejected} spans${why}; ` + 'counting refused spans as dropped in stats() (said once)',
      ),
    );
  };
}

/**
 * One line when the flush at exit lost spans: why (the exporter's own error, `connect ECONNREFUSED …`),
 * how many in all (the count stats() reports), and which settings bound it.
 */
export function reportFlush(outcome: FlushOutcome, counter: SpanCounter, undeliveredBefore: number, config: TracingConfig): void {
  const { spansDropped, spansEnded } = counter.snapshot();
  // Spans a collector refused in an answer (partial success) were said once when it answered.
  const lostNow = counter.undelivered() - undeliveredBefore;
  if (outcome.kind === 'done' && lostNow === 0) return;
  const cause =
    outcome.kind === 'failed'
      ? describeError(outcome.error)
      : (counter.lastCause() ?? (outcome.kind === 'timeout' ? `no answer within ${outcome.ms} ms` : 'no answer before the shutdown deadline'));
  const where = redactUrl(config.endpoint);
  const unreachable = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EAI_AGAIN/.test(cause)
    ? `The collector at ${where} was unreachable: keep it up until the workers have stopped. `
    : /timed out|timeout|no answer|DEADLINE_EXCEEDED/i.test(cause)
      ? `The collector at ${where} did not answer in time. `
      : '';
  log.warn(
    redactUrl(
      `span flush at exit failed: ${cause}; ${spansDropped} spans lost (${lostNow} in this flush, of ${spansEnded} ended in this process). ` +
        unreachable +
        `The flush is bounded by OTEL_BSP_EXPORT_TIMEOUT (${config.batch.exportTimeoutMillis} ms), ` +
        `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT (each export, ${config.exporterTimeoutMillis} ms) and FORKHOOKS_SHUTDOWN_TIMEOUT_MS (the whole stop)`,
    ),
  );
}

