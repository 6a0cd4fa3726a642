// Tracing's part in the rescue of a stuck worker (core's rescue/, runtimes README "Stuck workers").
// The handler runs ON the stuck main thread, paused by the worker's watchdog thread in the middle of
// the stuck code, so the context active there is the hung request's: its span (and the HTTP server
// span the instrumentation keeps under @opentelemetry/core's RPC metadata key) is ended with status
// ERROR and an `exception` event holding the stack; then every batch not yet sent is handed over as
// bytes, for the watchdog thread to POST. Nothing here runs on the hot path: the heartbeat reads the
// pending count once per beat.
import { registerRescue, type RescueOutcome, type StuckStack } from '@forkhooks/core/manager';
import { context, createContextKey, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from './config';
import type { UnsentSource } from './sdk';
import type { SpanCounter } from './stats';

// @opentelemetry/core's key (createContextKey is Symbol.for: any copy of the API reads the same one);
// instrumentation-http stores the server span there so frameworks can name its route.
const RPC_METADATA = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const USER_AGENT = `forkhooks-otel-init/${(require('../../package.json') as { version: string }).version}`;

/** Registers this worker's tracing with core's rescue. Returns its removal. */
export function registerTracingRescue(config: TracingConfig, counter: SpanCounter, unsent: UnsentSource | undefined): () => void {
  return registerRescue({
    name: 'otel-init tracing',
    unsentSpans: () => counter.snapshot().spansPending,
    rescue: (stuck) => rescueTracing(stuck, config, counter, unsent),
  });
}

function rescueTracing(stuck: StuckStack, config: TracingConfig, counter: SpanCounter, unsent: UnsentSource | undefined): RescueOutcome {
  const spansEnded = endStuckSpans(stuck);
  const pending = counter.snapshot().spansPending;
  if (!unsent) {
    const notes = pending > 0 ? ['over gRPC or FORKHOOKS_SPAN_PIPELINE=sdk the SDK queue holds span objects that cannot be sent from outside the stuck thread'] : [];
    return { deliveries: [], spansEnded, spansLost: pending, spansInFlight: 0, notes };
  }
  const batches = unsent.take();
  const taken = batches.reduce((sum, b) => sum + b.spans, 0);
  const headers: Record<string, string> = { ...config.headers, 'Content-Type': unsent.contentType, 'User-Agent': USER_AGENT };
  if (config.compression === 'gzip') headers['Content-Encoding'] = 'gzip';
  const { ca, cert, key } = config.tls;
  const tls = ca || cert || key ? { ca: ca?.toString(), cert: cert?.toString(), key: key?.toString() } : undefined;
  const deliveries = batches.map((b) => ({ url: config.endpoint, headers, body: b.body, gzip: config.compression === 'gzip', tls, spans: b.spans }));
  return { deliveries, spansEnded, spansLost: 0, spansInFlight: Math.max(0, pending - taken), notes: [] };
}

/** Ends the spans open in the stuck code (innermost first), each with ERROR and the stack. */
function endStuckSpans(stuck: StuckStack): number {
  const active = context.active();
  const server = (active.getValue(RPC_METADATA) as { span?: Span } | undefined)?.span;
  let ended = 0;
  for (const span of new Set([trace.getSpan(active), server])) {
    if (!span?.isRecording()) continue;
    span.addEvent('exception', { [ATTR_EXCEPTION_TYPE]: 'StuckWorkerError', [ATTR_EXCEPTION_MESSAGE]: stuck.message, [ATTR_EXCEPTION_STACKTRACE]: stuck.stacktrace });
    span.setStatus({ code: SpanStatusCode.ERROR, message: stuck.message });
    span.end();
    ended++;
  }
  return ended;
}
