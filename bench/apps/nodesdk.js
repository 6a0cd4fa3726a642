// Bench app: the service traced by the OpenTelemetry NodeSDK, set up per worker the way the
// @opentelemetry/sdk-node README shows (new NodeSDK({ traceExporter, instrumentations }).start()
// before the app loads), with the same http instrumentation as forkhooks and the OTLP/HTTP protobuf
// exporter (@opentelemetry/exporter-trace-otlp-proto): what `new NodeSDK()` picks by default
// (OTEL_EXPORTER_OTLP_PROTOCOL defaults to http/protobuf), and forkhooks' default protocol too.
// The harness sets OTEL_METRICS_EXPORTER=none and OTEL_LOGS_EXPORTER=none: without them NodeSDK also starts an OTLP metrics reader (and the http instrumentation records a
// histogram per request) and a logs pipeline, and the comparison would not be traces against traces.
// Only workers start it: a cluster primary serves nothing. The README's SIGTERM handler
// (`sdk.shutdown()` then exit) is left out, and docs/benchmarks.md says so: runCluster's worker
// already owns SIGTERM (a second handler calling process.exit would race its atexit), and this app
// is measured for throughput and start-up only, where no worker is stopped while measuring.
'use strict';
const cluster = require('node:cluster');

if (cluster.isWorker) {
  const { NodeSDK } = require('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [new HttpInstrumentation()],
  });
  sdk.start();
}
require('./serve').serve();
