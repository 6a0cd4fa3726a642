// The fibonacci service on node:cluster, one traced worker per slot, exporting to
// OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318). Tracing first: the http
// instrumentation must be on before http is required.
import '@forkhooks/otel-init/register';
import { runFibonacciCluster } from './app';
import { fail } from './fail';

try {
  runFibonacciCluster();
} catch (error) {
  fail(error);
}
