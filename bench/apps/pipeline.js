// The measured process of the span-pipeline microbenchmark (bench/lib/pipeline.js runs it): no HTTP
// server, no load generator. It makes the fibonacci service's spans (examples/fibonacci/src/server.ts:
// root -> fib_slow, fib_fast, each child with `n` and `nth_fibonacci`) through
//   forkhooks      initTracing's provider (its processor, exporter and counters; http/protobuf, the default)
//   forkhooks-sdk  the same with FORKHOOKS_SPAN_PIPELINE=sdk: forkhooks' previous pipeline, the official
//                  BatchSpanProcessor + exporter (the "before" of issue 14 section 2; until that
//                  switch exists in otel-init it measures the same as `forkhooks`)
//   stock          the stock TracerProvider + BatchSpanProcessor + the official OTLP/HTTP protobuf exporter
//   stock-json     the same with the OTLP/HTTP JSON exporter
//   spans-only     the stock TracerProvider with a processor that drops every span: what making the
//                  spans costs, which every side pays the same (the SDK's tracer, spans, ids and
//                  context); a side's cost over it is its pipeline's own
// Every side propagates context through the AsyncLocalStorage context manager, as NodeSDK and
// initTracing both register it: without one, startActiveSpan makes no parent for the children (the
// API's no-op manager), and a side would do less work per span. Each side checks, before its rounds,
// that a child span has its parent.
// alternating the sides over rounds, all exporting to the sink process at $BENCH_SINK. A round makes
// BENCH_REQUESTS "requests" (3 spans each) in chunks of BENCH_CHUNK (10), yielding between chunks as a server
// would between requests, then waits until the sink accepted every span: its CPU (process.cpuUsage,
// all threads) from the first span to the last one accepted is the round's cost.
//
// Each side runs in its own child process (this file again, with BENCH_SIDE set), driven over IPC
// by this process, the coordinator, which runs one side's round at a time. Why: initTracing is one
// handle per process (a second call returns the first handle), so two forkhooks variants cannot
// share a process; and giving every side, stock ones included, a process of its own keeps the sides
// alike (no side's heap or timers in another's measurement). The rounds stay interleaved in time as
// before: round r runs every side back to back, in an order rotated by r, and each side measures
// its own process's CPU from its first span to its last accepted, so the sides of one round are a
// paired comparison (the per-round ratios bench/lib/pipeline.js reports). No two sides make spans at
// the same time, and the IPC message that starts or ends a round is outside the measured interval.
//
// Then the export path alone, in the coordinator: prebuilt ReadableSpans exported in batches of 512
// by each exporter (serialize + send, to the response), and serialized only (otlp-transformer's
// serializers). forkhooks' export path is whichever its pipeline uses: otlp/encodings.js's
// traceEncoding (batch.add per span, take()) + otlp/http-sender.js when the build has them, else
// exporters.js's exporter; the `done` line names it.
// Prints one JSON line per round. BENCH_SIDES picks sides (bench/profile.js: one side);
// BENCH_EXPORT_ROUNDS=0 skips the export-path rounds.
'use strict';
const { fork } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { setImmediate: yieldTurn, setTimeout: sleep } = require('node:timers/promises');

const SINK = process.env.BENCH_SINK;
if (!SINK) throw new Error('bench/apps/pipeline.js: set BENCH_SINK to the sink URL (bench/lib/pipeline.js starts one)');
const SIDE_NAMES = ['forkhooks', 'forkhooks-sdk', 'stock', 'stock-json', 'spans-only'];
const SIDES = (process.env.BENCH_SIDES || SIDE_NAMES.join(',')).split(',');
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
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
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

/** The context manager NodeSDK registers (NodeTracerProvider.register()); initTracing registers the same. */
function registerContextManager() {
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** Throws unless `tracer` nests spans: a child started inside startActiveSpan has its parent. */
function assertNested(name, tracer) {
  let parent;
  let child;
  tracer.startActiveSpan('check', (root) => {
    parent = root.spanContext().spanId;
    child = tracer.startSpan('check-child');
    child.end();
    root.end();
  });
  // ReadableSpan: parentSpanContext on both lines (2.x and 3.x).
  const got = child.parentSpanContext?.spanId;
  if (got !== parent) throw new Error(`pipeline side ${name}: a child span has parent ${got}, not ${parent}: no context manager, so the side would measure less work`);
}

/** Spans made and dropped: the cost every side shares. `exported` counts the spans ended. */
function spansOnlySide(name) {
  registerContextManager();
  let ended = 0;
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': `bench-pipeline-${name}` })),
    spanProcessors: [{ onStart() {}, onEnd: () => void ended++, forceFlush: async () => {}, shutdown: async () => {} }],
  });
  return { name, tracer: provider.getTracer('bench'), exported: () => ended, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}

function stockSide(name, pkg) {
  registerContextManager();
  const { OTLPTraceExporter } = require(pkg);
  const { exporter, exported } = counted(new OTLPTraceExporter({ url: TRACES }));
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': `bench-pipeline-${name}` })),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...QUEUE })],
  });
  return { name, tracer: provider.getTracer('bench'), exported, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}

/** forkhooks' pipeline as initTracing builds it; `forkhooks-sdk`'s process has FORKHOOKS_SPAN_PIPELINE=sdk (set by startSide). */
function forkhooksSide(name) {
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = SINK;
  const handle = require('@forkhooks/otel-init').initTracing({ serviceName: `bench-pipeline-${name}`, batch: QUEUE });
  return {
    name,
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

/**
 * forkhooks' export path as its active pipeline has it: otlp/encodings.js's traceEncoding (batch.add
 * per span, take()) and otlp/http-sender.js when the build has them (issue 14 section 2's encoding
 * pipeline), else exporters.js's exporter, deferred and counted as initTracing builds it. Returns
 * { code: which code it is, send(spans): Promise }.
 */
function forkhooksExportPath() {
  const dist = dirname(require.resolve('@forkhooks/otel-init'));
  const config = { protocol: 'http/protobuf', protocolSetting: 'http/protobuf', endpoint: TRACES, headers: {}, compression: 'none', tls: {}, exporterTimeoutMillis: 10_000 };
  const encodings = join(dist, 'otlp', 'encodings.js');
  const senderFile = join(dist, 'otlp', 'http-sender.js');
  if (existsSync(encodings) && existsSync(senderFile)) {
    const encoding = require(encodings).traceEncoding(config.protocol);
    const { HttpSender } = require(senderFile);
    if (typeof HttpSender !== 'function') throw new Error(`${senderFile} exports no HttpSender class: adapt forkhooksExportPath() in bench/apps/pipeline.js to its API`);
    const sender = new HttpSender(config, encoding.contentType, () => undefined);
    const batch = encoding.newBatch();
    return {
      code: 'otlp/encodings.js traceEncoding + otlp/http-sender.js HttpSender',
      send: async (spans) => {
        for (const span of spans) batch.add(span, Infinity);
        const result = await sender.send(batch.take().body);
        if (!result.ok) throw result.error;
      },
      shutdown: () => sender.shutdown(),
    };
  }
  const { createExporter, resolveExporter } = require(join(dist, 'otlp', 'exporters.js'));
  const { DeferredExporter } = require(join(dist, 'tracing', 'deferred-exporter.js'));
  const { SpanCounter } = require(join(dist, 'tracing', 'stats.js'));
  const counter = new SpanCounter(Infinity, () => undefined, () => undefined);
  const exporter = counter.wrap(new DeferredExporter(() => createExporter(config, resolveExporter(config), () => undefined)));
  return { code: 'exporters.js (official OTLP exporter, deferred and counted)', send: (spans) => send(exporter, spans), shutdown: () => exporter.shutdown() };
}

const send = (exporter, batch) =>
  new Promise((resolve, reject) => exporter.export(batch, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed')))));

async function exportPath() {
  const spans = prebuiltSpans(8 * BATCH);
  const batches = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => spans.slice(i * BATCH, (i + 1) * BATCH));
  // The serializers the exporters use: otlp-transformer as the protobuf exporter resolves it.
  const { ProtobufTraceSerializer, JsonTraceSerializer } = createRequire(require.resolve(PROTO))('@opentelemetry/otlp-transformer');
  const forkhooks = forkhooksExportPath();
  const stock = { 'stock http/protobuf': new (require(PROTO).OTLPTraceExporter)({ url: TRACES }), 'stock http/json': new (require(JSON_EXPORTER).OTLPTraceExporter)({ url: TRACES }) };
  const paths = { 'forkhooks (http/protobuf)': forkhooks.send, ...Object.fromEntries(Object.entries(stock).map(([k, e]) => [k, (batch) => send(e, batch)])) };
  const serializers = { 'serialize protobuf': ProtobufTraceSerializer, 'serialize json': JsonTraceSerializer };
  const names = [...Object.keys(paths), ...Object.keys(serializers)];
  for (let r = -1; r < EXPORT_ROUNDS; r++) {
    // r = -1 warms every path up (loads modules, opens connections); rotated order after that.
    const k = Math.max(r, 0) % names.length;
    for (const name of [...names.slice(k), ...names.slice(0, k)]) {
      const c0 = cpuUs();
      for (const batch of batches) {
        if (paths[name]) await paths[name](batch);
        else serializers[name].serializeRequest(batch);
      }
      if (r >= 0) say({ kind: 'export', path: name, round: r, spans: spans.length, cpuUs: cpuUs() - c0 });
    }
  }
  for (const exporter of Object.values(stock)) await exporter.shutdown();
  await forkhooks.shutdown?.();
  return forkhooks.code;
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

/** Builds side `name` in this process (a side's child process). */
function makeSide(name) {
  if (name === 'forkhooks' || name === 'forkhooks-sdk') return forkhooksSide(name);
  if (name === 'spans-only') return spansOnlySide(name);
  return stockSide(name, name === 'stock' ? PROTO : JSON_EXPORTER);
}

/** A side's child process: builds the side, then runs a round per message, reporting its CPU and wall time. */
function sideProcess(name) {
  const side = makeSide(name);
  assertNested(name, side.tracer);
  process.on('disconnect', () => process.exit(0)); // the coordinator is gone
  process.on('message', (m) => {
    const work = m.op === 'round' ? round(side, m.requests) : side.shutdown().then(() => ({}));
    work.then(
      (result) => process.send({ ok: true, ...result }),
      (error) => process.send({ ok: false, error: String(error.stack ?? error) }),
    );
  });
  process.send({ ok: true, ready: true });
}

/** Forks the child process of side `name`; `call(message)` resolves with its answer. */
function startSide(name) {
  const env = { ...process.env, BENCH_SIDE: name };
  if (name === 'forkhooks-sdk') env.FORKHOOKS_SPAN_PIPELINE = 'sdk';
  else delete env.FORKHOOKS_SPAN_PIPELINE;
  // Its stdout goes to our stderr: our stdout is the JSON lines. execArgv is inherited (--cpu-prof: bench/profile.js).
  const child = fork(__filename, [], { env, stdio: ['ignore', 2, 2, 'ipc'] });
  let pending = null;
  const answered = (m) => {
    const settle = pending;
    pending = null;
    if (!settle) return;
    if (m.ok) settle.resolve(m);
    else settle.reject(new Error(`pipeline side ${name}: ${m.error}`));
  };
  child.on('message', answered);
  child.on('exit', (code, signal) => answered({ ok: false, error: `its process exited (${signal ?? code})` }));
  const next = () => new Promise((resolve, reject) => (pending = { resolve, reject }));
  const call = (message) => {
    const answer = next();
    child.send(message);
    return answer;
  };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // After its shutdown: closing the channel ends the child (its 'disconnect' handler).
  const stop = () => {
    if (child.connected) child.disconnect();
    return exited;
  };
  return next().then(() => ({ name, call, stop }));
}

async function main() {
  const bad = SIDES.filter((s) => !SIDE_NAMES.includes(s));
  if (bad.length) throw new Error(`BENCH_SIDES: unknown side(s) ${bad.join(', ')}; use ${SIDE_NAMES.join(', ')}`);
  const sides = [];
  for (const name of SIDES) sides.push(await startSide(name));
  // Warm-up (JIT, module loads, connections), then the rounds, each side in turn, rotated.
  for (const side of sides) await side.call({ op: 'round', requests: REQUESTS });
  for (let r = 0; r < ROUNDS; r++) {
    const k = r % sides.length;
    for (const side of [...sides.slice(k), ...sides.slice(0, k)]) {
      const { cpuUs, wallMs } = await side.call({ op: 'round', requests: REQUESTS });
      say({ kind: 'pipeline', side: side.name, round: r, spans: 3 * REQUESTS, cpuUs, wallMs });
    }
  }
  const forkhooksExport = EXPORT_ROUNDS > 0 ? await exportPath() : null;
  for (const side of sides) {
    await side.call({ op: 'shutdown' });
    await side.stop();
  }
  say({ kind: 'done', pid: process.pid, node: process.version, sdk: versionOf('@opentelemetry/sdk-trace'), exporter: versionOf(PROTO), forkhooks_export_path: forkhooksExport });
}

if (process.env.BENCH_SIDE) {
  sideProcess(process.env.BENCH_SIDE);
} else {
  main().catch((error) => {
    process.stderr.write(`pipeline: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
