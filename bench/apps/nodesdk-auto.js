// Bench app (start-up only): NodeSDK with @opentelemetry/auto-instrumentations-node, the setup the
// OpenTelemetry "getting started" for Node.js shows, started per worker before the app loads.
// OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER are left to the harness (none), and the exporter is
// OTLP/HTTP protobuf (NodeSDK's default), as for nodesdk.js.
'use strict';
const cluster = require('node:cluster');

if (cluster.isWorker) {
  const { NodeSDK } = require('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
  const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [getNodeAutoInstrumentations()],
  });
  sdk.start();
}
require('./serve').serve();
