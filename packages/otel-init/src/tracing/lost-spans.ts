// What the user is told about lost spans, decided here (the counts are stats.ts's, the transport's
// advice is otlp/protocol-mismatch.ts's, shared with metrics): the line when exports start failing
// and the one when they recover, the lines of each drop episode by cause (a full queue, spans
// refused by the collector, spans ended after the flush ...), and the line when the flush at exit
// lost spans. Each names its cause, the count and the setting to change; none repeats per batch.
import { describeError, log, redactUrl } from '@forkhooks/core';
import { mismatchHintOnce } from '../otlp/mismatch-hint';
import type { FlushOutcome } from '../shared/bounded';
import type { DropLines } from '../shared/episodes';
import type { TracingConfig } from './config';
import type { DropCause } from './drop-causes';
import { SpanCounter, type FlushMark } from './stats';

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
    (cause) => dropLines(cause, config),
  );
}

const spans = (count: number): string => `${count} span${count === 1 ? '' : 's'}`;

/** The two lines of a drop episode of `cause`: when drops start (count, cause, fix), and when they stop (or the pipeline did). */
export function dropLines(cause: DropCause, config: TracingConfig): DropLines {
  const shown = redactUrl(config.endpoint);
  const queue = `OTEL_BSP_MAX_QUEUE_SIZE=${config.batch.maxQueueSize}`;
  const say = (level: 'warn' | 'info', line: string): void => log[level](redactUrl(line));
  switch (cause) {
    case 'queue-full':
      return {
        started: (count) =>
          say(
            'warn',
            `span queue full: ${spans(count)} dropped, ended faster than they were sent (${queue}); raise OTEL_BSP_MAX_QUEUE_SIZE, ` +
              `or send sooner with a lower OTEL_BSP_SCHEDULE_DELAY (${config.batch.scheduledDelayMillis} ms); counting drops in stats() until the queue has room`,
          ),
        ended: (count, closing) =>
          say(closing ? 'warn' : 'info', closing ? `span queue full until the flush at exit: ${spans(count)} dropped in all (${queue})` : `span queue has room again: ${spans(count)} dropped while it was full (${queue})`),
      };
    case 'refused':
      return {
        started: (count, message) =>
          say(
            'warn',
            `span export to ${shown} partly rejected: the collector refused ${spans(count)}${message ? `: ${message}` : ''}; ` +
              'counting refused spans as dropped in stats() until it accepts an export in full',
          ),
        ended: (count, closing) =>
          say(closing ? 'warn' : 'info', closing ? `span export to ${shown}: the collector refused ${spans(count)} in all before the flush at exit` : `span export to ${shown} accepted in full again (${spans(count)} refused before)`),
      };
    case 'after-shutdown':
      return {
        started: (count) =>
          say(
            'warn',
            `${spans(count)} ended too late for the span flush at exit, and dropped (later ones are counted in stats() only): ` +
              'stop what makes spans (a setInterval, a consumer) in an atexit hook of your own, which runs before the flush',
          ),
        ended: () => undefined,
      };
    case 'too-big':
    case 'unencodable': {
      const what = cause === 'too-big' ? 'too big to send' : 'that could not be encoded';
      return {
        started: (count, detail) => say('warn', `${spans(count)} ${what}, dropped${detail ? ` (${detail})` : ''}; the other spans of their batches are sent; counting drops in stats()`),
        ended: (count, closing) => say('info', `${spans(count)} ${what} dropped ${closing ? 'in all before the flush at exit' : 'in the last episode'}`),
      };
    }
  }
}

/**
 * One line when the flush at exit lost spans: why (the exporter's own error, `connect ECONNREFUSED …`;
 * or spans still being ended and sent when the deadline came, with the collector answering), how many
 * in all (the count stats() reports), and which settings bound it. Spans dropped for a cause (a full
 * queue, ended after the flush) are not in "this flush": their own lines said them.
 */
export function reportFlush(outcome: FlushOutcome, counter: SpanCounter, before: FlushMark, config: TracingConfig): void {
  const { spansDropped, spansEnded, spansExported } = counter.snapshot();
  const lostNow = counter.undelivered() - before.undelivered;
  if (outcome.kind === 'done' && lostNow === 0) return;
  const endedDuring = spansEnded - before.ended;
  const errorsDuring = counter.errorCount() > before.errors;
  const where = redactUrl(config.endpoint);
  let cause: string;
  let advice = '';
  if (outcome.kind === 'failed') cause = describeError(outcome.error);
  else if (!errorsDuring && endedDuring > 0 && spansExported > before.exported) {
    // The collector answered every export of the flush; the app kept ending spans (a timer) until the deadline.
    cause = `still sending spans ended during the stop at the deadline (${spans(endedDuring)} ended during the stop; the collector at ${where} answered every export)`;
    advice = 'Stop what makes spans (a setInterval, a consumer) in an atexit hook of your own, which runs before the flush. ';
  } else cause = (errorsDuring ? counter.lastCause() : undefined) ?? (outcome.kind === 'timeout' ? `no answer within ${outcome.ms} ms` : 'no answer before the shutdown deadline');
  if (!advice) {
    advice = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EAI_AGAIN/.test(cause)
      ? `The collector at ${where} was unreachable: keep it up until the workers have stopped. `
      : /timed out|timeout|no answer|DEADLINE_EXCEEDED/i.test(cause)
        ? `The collector at ${where} did not answer in time. `
        : '';
  }
  log.warn(
    redactUrl(
      `span flush at exit failed: ${cause}; ${spansDropped} spans lost (${lostNow} in this flush, of ${spansEnded} ended in this process). ` +
        advice +
        `The flush is bounded by OTEL_BSP_EXPORT_TIMEOUT (${config.batch.exportTimeoutMillis} ms), ` +
        `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT (each export, ${config.exporterTimeoutMillis} ms) and the shutdown deadline (shutdownTimeoutMs or FORKHOOKS_SHUTDOWN_TIMEOUT_MS)`,
    ),
  );
}
