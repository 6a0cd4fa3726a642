// The fibonacci service on node:cluster, its counter (fibonacci.requests) and histogram
// (fibonacci.duration) per worker, and ONE Prometheus endpoint for the whole cluster: the primary
// serves http://localhost:9464/metrics, merged from every worker at each scrape, with counters that
// never go down when a worker is respawned or reloaded. Spans go to the embedded receiver (or to
// OTEL_EXPORTER_OTLP_ENDPOINT when set).
import '@forkhooks/otel-init/register';
import { registry } from '@forkhooks/core';
import { finishDemo, prepareDemo, serveFibonacci } from '@forkhooks/example-fibonacci';
import { runCluster } from '@forkhooks/runtimes';

// This example's point: Prometheus (OTEL_METRICS_EXPORTER unset means otlp, as NodeSDK).
process.env.OTEL_METRICS_EXPORTER ??= 'prometheus';

runCluster({
  workers: Number(process.env.WORKERS || 2),
  async primary() {
    const demo = await prepareDemo();
    // Workers are forked after this returns: they inherit the receiver's endpoint.
    Object.assign(process.env, demo.env);
    const port = process.env.OTEL_EXPORTER_PROMETHEUS_PORT || '9464';
    process.stdout.write(`try:      curl 'http://localhost:${process.env.PORT || 3000}/fibonacci?n=10'\nscrape:   curl http://localhost:${port}/metrics\nstop:     Ctrl-C\n`);
    registry.add('atexit', () => finishDemo(demo, undefined, false), { name: 'demo.close', scope: 'primary' });
  },
  worker: (ctx) => serveFibonacci(ctx),
});
