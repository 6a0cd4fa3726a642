// Bench app (delivery only): the naive per-worker setup forkhooks replaces. Each worker builds its
// own provider with a BatchSpanProcessor over the OTLP/HTTP exporter (spec defaults, like
// forkhooks), with the http instrumentation enabled first; and nothing flushes it at exit.
//
// The spans it ends are counted honestly: a counting span processor next to the batch processor
// counts every sampled span ended, and writes the count synchronously at process exit.
'use strict';
const cluster = require('node:cluster');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { postfork } = require('@forkhooks/core');
const { writeStatsAtExit } = require('./stats-at-exit');

registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });

let ended = 0;
writeStatsAtExit(() => ended);

postfork(function naiveTracing() {
  if (!cluster.isWorker) return;
  const { randomUUID } = require('node:crypto');
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const counting = {
    onStart() {},
    onEnd(span) {
      if (span.spanContext().traceFlags & 1) ended++;
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME, 'service.instance.id': randomUUID(), 'process.pid': process.pid }),
    spanProcessors: [counting, new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
});
require('./serve').serve();
