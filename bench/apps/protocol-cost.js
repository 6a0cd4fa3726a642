// One process, one OTLP protocol (BENCH_PROTOCOL, compression BENCH_COMPRESSION): the CPU a worker
// spends exporting spans, apart from the CPU of making them. otel-init as a worker runs it
// (initTracing: the same provider, processor and exporter), with a queue that holds a whole round
// and no scheduled export: each round's CPU from its last span ended to its last span accepted.
// Prints one JSON line per round: { createUs, exportUs, spans, requests, exported }.
'use strict';
const { initTracing } = require('@forkhooks/otel-init');
const { trace } = require('@opentelemetry/api');

const SPANS = Number(process.env.BENCH_SPANS || 10_240);
const BATCH = 512;
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);

const handle = initTracing({
  serviceName: 'bench-protocols',
  protocol: process.env.BENCH_PROTOCOL,
  compression: process.env.BENCH_COMPRESSION || 'none',
  batch: { maxQueueSize: SPANS, maxExportBatchSize: BATCH, scheduledDelayMillis: 3_600_000, exportTimeoutMillis: 30_000 },
});
const tracer = trace.getTracer('bench');

/** `n` spans shaped like an HTTP server span of the bench service. */
function makeSpans(n) {
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan('GET /fib/:n', {
      kind: 1,
      attributes: {
        'http.request.method': 'GET',
        'url.path': `/fib/${i % 30}`,
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'server.port': 3000,
        'network.peer.address': '127.0.0.1',
        'user_agent.original': 'autocannon/8.0.0',
        'http.response.status_code': 200,
      },
    });
    span.addEvent('computed', { n: i % 30 });
    span.end();
  }
}

async function main() {
  // Warm-up: loads the exporter and opens its connection, outside the measured rounds.
  makeSpans(BATCH);
  await handle.forceFlush();
  // The first flush can settle before its export is counted (the exporter loads on first use).
  for (let i = 0; i < 100 && handle.stats().spansExported < BATCH; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  for (let round = 0; round < ROUNDS; round++) {
    const before = handle.stats().spansExported;
    const c0 = process.cpuUsage();
    makeSpans(SPANS);
    const created = process.cpuUsage(c0);
    // Full batches start exporting on their own (on the next turn: nothing ran during makeSpans);
    // the round is over when the collector accepted all of it.
    const e0 = process.cpuUsage();
    await handle.forceFlush();
    for (let i = 0; i < 3_000 && handle.stats().spansExported < before + SPANS; i++) await new Promise((resolve) => setTimeout(resolve, 2));
    const exported = process.cpuUsage(e0);
    process.stdout.write(
      `${JSON.stringify({
        createUs: created.user + created.system,
        exportUs: exported.user + exported.system,
        spans: SPANS,
        requests: Math.ceil(SPANS / BATCH),
        exported: handle.stats().spansExported - before,
      })}\n`,
    );
  }
  await handle.shutdown();
  const stats = handle.stats();
  const all = stats.spansExported === BATCH + ROUNDS * SPANS && stats.spansDropped === 0;
  if (!all) process.stderr.write(`protocol-cost: ${stats.spansExported} of ${BATCH + ROUNDS * SPANS} spans exported, ${stats.spansDropped} dropped\n`);
  process.exit(all ? 0 : 1);
}

void main();
