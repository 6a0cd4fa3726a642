// The measured process of the span-pipeline microbenchmark (bench/lib/pipeline.js runs it): no HTTP
// server, no load generator. It makes the fibonacci service's spans (examples/fibonacci/src/server.ts:
// root -> fib_slow, fib_fast, each child with `n` and `nth_fibonacci`) through
//   forkhooks   initTracing's provider (its processor, exporter and counters; http/protobuf, the default)
//   stock       the stock TracerProvider + BatchSpanProcessor + the official OTLP/HTTP protobuf exporter
//   stock-json  the same with the OTLP/HTTP JSON exporter
// alternating the sides over rounds, all exporting to the sink process at $BENCH_SINK. A round makes
// BENCH_REQUESTS "requests" (3 spans each) in chunks of BENCH_CHUNK (10), yielding between chunks as a server
// would between requests, then waits until the sink accepted every span: its CPU (process.cpuUsage,
// all threads) from the first span to the last one accepted is the round's cost.
// Then the export path alone: prebuilt ReadableSpans exported in batches of 512 by each exporter
// (serialize + send, to the response), and serialized only (otlp-transformer's serializers).
// Prints one JSON line per round. BENCH_SIDES picks sides (bench/profile.js: forkhooks only);
// BENCH_EXPORT_ROUNDS=0 skips the export-path rounds.
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { setImmediate: yieldTurn, setTimeout: sleep } = require('node:timers/promises');

const SINK = process.env.BENCH_SINK;
if (!SINK) throw new Error('bench/apps/pipeline.js: set BENCH_SINK to the sink URL (bench/lib/pipeline.js starts one)');
const SIDES = (process.env.BENCH_SIDES || 'forkhooks,stock,stock-json').split(',');
const REQUESTS = Number(process.env.BENCH_REQUESTS || 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 15);
const EXPORT_ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS ?? 9);
const CHUNK = Number(process.env.BENCH_CHUNK || 10);
const BATCH = 512;
const TRACES = `${SINK}/v1/traces`;
// Both sides: the stock batch settings, but a queue that holds a whole round. With the default 2,048
// both sides drop spans in bursts (one export at a time, the sink answering late on a loaded machine),
// and a round that drops measures less work.
const QUEUE = { maxQueueSize: Math.max(2_048, 3 * REQUESTS), maxExportBatchSize: BATCH, scheduledDelayMillis: 5_000, exportTimeoutMillis: 30_000 };

const api = require('@opentelemetry/api');
const { BatchSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');
const { defaultResource, resourceFromAttributes } = require('@opentelemetry/resources');
const PROTO = '@opentelemetry/exporter-trace-otlp-proto';
const JSON_EXPORTER = '@opentelemetry/exporter-trace-otlp-http';
const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/** One request of the fibonacci service, as its spans (the answer is fixed: the pipeline is measured, not fib). */
function request(tracer, n) {
  tracer.startActiveSpan('root', (root) => {
    tracer.startActiveSpan('fib_slow', (span) => {
      span.setAttributes({ n, nth_fibonacci: 6765 });
      span.end();
    });
    tracer.startActiveSpan('fib_fast', (span) => {
      span.setAttributes({ n, nth_fibonacci: 6765 });
      span.end();
    });
    root.end();
  });
}

/** An exporter whose accepted spans are counted (per batch: no per-span cost). */
function counted(exporter) {
  let exported = 0;
  return {
    exported: () => exported,
    exporter: {
      export: (spans, done) =>
        exporter.export(spans, (result) => {
          if (result.code === 0) exported += spans.length;
          done(result);
        }),
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    },
  };
}

function stockSide(name, pkg) {
  const { OTLPTraceExporter } = require(pkg);
  const { exporter, exported } = counted(new OTLPTraceExporter({ url: TRACES }));
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': `bench-pipeline-${name}` })),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...QUEUE })],
  });
  return { name, tracer: provider.getTracer('bench'), exported, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}

function forkhooksSide() {
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = SINK;
  const handle = require('@forkhooks/otel-init').initTracing({ serviceName: 'bench-pipeline-forkhooks', batch: QUEUE });
  return {
    name: 'forkhooks',
    tracer: api.trace.getTracer('bench'),
    exported: () => handle.stats().spansExported,
    dropped: () => handle.stats().spansDropped,
    flush: () => handle.forceFlush(),
    shutdown: () => handle.shutdown(),
  };
}

async function round(side, requests) {
  const target = side.exported() + 3 * requests;
  const wall0 = performance.now();
  const cpu0 = cpuUs();
  for (let i = 0; i < requests; i += CHUNK) {
    for (let j = i; j < Math.min(requests, i + CHUNK); j++) request(side.tracer, 20);
    await yieldTurn();
  }
  await side.flush();
  // Full batches were sent on their own and may still be in flight after the flush settles.
  for (let i = 0; i < 10_000 && side.exported() < target; i++) await sleep(1);
  const cpu = cpuUs() - cpu0;
  const wallMs = performance.now() - wall0;
  const missing = target - side.exported();
  if (missing > 0) throw new Error(`pipeline ${side.name}: ${missing} of ${3 * requests} spans not accepted by the sink within 10 s${side.dropped ? ` (${side.dropped()} dropped)` : ''}`);
  return { cpuUs: cpu, wallMs };
}

/** `n` finished spans of the same shape, for the export-path rounds. */
function prebuiltSpans(n) {
  const spans = [];
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'bench-pipeline-export' })),
    spanProcessors: [{ onStart() {}, onEnd: (span) => void spans.push(span), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const tracer = provider.getTracer('bench');
  while (spans.length < n) request(tracer, 20);
  return spans.slice(0, n);
}

/** forkhooks' export path: its exporter (exporters.ts), deferred and counted as initTracing builds it. */
function forkhooksExporter() {
  const dist = dirname(require.resolve('@forkhooks/otel-init'));
  const { createExporter, resolveExporter } = require(join(dist, 'exporters.js'));
  const { DeferredExporter } = require(join(dist, 'deferred-exporter.js'));
  const { SpanCounter } = require(join(dist, 'stats.js'));
  const config = { protocol: 'http/protobuf', protocolSetting: 'http/protobuf', endpoint: TRACES, headers: {}, compression: 'none', tls: {}, exporterTimeoutMillis: 10_000 };
  const path = resolveExporter(config);
  const counter = new SpanCounter(Infinity, () => undefined, () => undefined);
  return counter.wrap(new DeferredExporter(() => createExporter(config, path, () => undefined)));
}

async function exportPath() {
  const spans = prebuiltSpans(8 * BATCH);
  const batches = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => spans.slice(i * BATCH, (i + 1) * BATCH));
  // The serializers the exporters use: otlp-transformer as the protobuf exporter resolves it.
  const { ProtobufTraceSerializer, JsonTraceSerializer } = createRequire(require.resolve(PROTO))('@opentelemetry/otlp-transformer');
  const paths = {
    'forkhooks (http/protobuf)': forkhooksExporter(),
    'stock http/protobuf': new (require(PROTO).OTLPTraceExporter)({ url: TRACES }),
    'stock http/json': new (require(JSON_EXPORTER).OTLPTraceExporter)({ url: TRACES }),
  };
  const send = (exporter, batch) =>
    new Promise((resolve, reject) => exporter.export(batch, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed')))));
  const serializers = { 'serialize protobuf': ProtobufTraceSerializer, 'serialize json': JsonTraceSerializer };
  const names = [...Object.keys(paths), ...Object.keys(serializers)];
  for (let r = -1; r < EXPORT_ROUNDS; r++) {
    // r = -1 warms every path up (loads modules, opens connections); rotated order after that.
    const k = Math.max(r, 0) % names.length;
    for (const name of [...names.slice(k), ...names.slice(0, k)]) {
      const c0 = cpuUs();
      for (const batch of batches) {
        if (paths[name]) await send(paths[name], batch);
        else serializers[name].serializeRequest(batch);
      }
      if (r >= 0) say({ kind: 'export', path: name, round: r, spans: spans.length, cpuUs: cpuUs() - c0 });
    }
  }
  for (const exporter of Object.values(paths)) await exporter.shutdown();
}

/** The installed version of `name` (3.x packages do not export ./package.json). */
function versionOf(name) {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === name) return pkg.version;
    } catch {
      // not here: one folder up
    }
  }
  return null;
}

async function main() {
  const sides = SIDES.map((s) => (s === 'forkhooks' ? forkhooksSide() : s === 'stock' ? stockSide('stock', PROTO) : s === 'stock-json' ? stockSide('stock-json', JSON_EXPORTER) : null));
  const bad = SIDES.filter((_, i) => !sides[i]);
  if (bad.length) throw new Error(`BENCH_SIDES: unknown side(s) ${bad.join(', ')}; use forkhooks, stock, stock-json`);
  // Warm-up (JIT, module loads, connections), then the rounds, each side in turn, rotated.
  for (const side of sides) await round(side, REQUESTS);
  for (let r = 0; r < ROUNDS; r++) {
    const k = r % sides.length;
    for (const side of [...sides.slice(k), ...sides.slice(0, k)]) say({ kind: 'pipeline', side: side.name, round: r, spans: 3 * REQUESTS, ...(await round(side, REQUESTS)) });
  }
  if (EXPORT_ROUNDS > 0) await exportPath();
  for (const side of sides) await side.shutdown();
  say({ kind: 'done', node: process.version, sdk: versionOf('@opentelemetry/sdk-trace'), exporter: versionOf(PROTO) });
}

main().catch((error) => {
  process.stderr.write(`pipeline: ${error.stack ?? error}\n`);
  process.exit(1);
});
