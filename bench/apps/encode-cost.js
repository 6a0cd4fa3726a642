// The CPU of encoding spans to OTLP, apart from making and sending them: forkhooks' encoders
// (src/otlp/encodings.ts: add() each span to a batch, then take() the request body) against the
// official serializers (otlp-transformer's serializeRequest over the same spans), on prebuilt spans of
// the fibonacci service's shape (bench/apps/pipeline.js: root -> fib_slow, fib_fast with `n` and
// `nth_fibonacci`), in batches of 512. Rounds interleave the four paths, rotated; prints one JSON line
// per path with the median CPU µs per span and the spread (min-max) over the rounds.
//   node bench/apps/encode-cost.js            (BENCH_ROUNDS=15, BENCH_BATCHES=40 batches a round,
//   BENCH_PATHS=forkhooks http/json to measure some paths only)
// Copied into a folder with another OpenTelemetry line installed (and @forkhooks/otel-init linked),
// it measures that line's serializers.
'use strict';
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const api = require('@opentelemetry/api');
const { TracerProvider } = require('@opentelemetry/sdk-trace');
const { defaultResource, resourceFromAttributes } = require('@opentelemetry/resources');

const ROUNDS = Number(process.env.BENCH_ROUNDS || 15);
const BATCHES = Number(process.env.BENCH_BATCHES || 40);
const BATCH = 512;

const { traceEncoding } = require(join(dirname(require.resolve('@forkhooks/otel-init')), 'otlp', 'encodings.js'));
// The serializers the OTLP exporters use: otlp-transformer as the protobuf exporter resolves it.
const { ProtobufTraceSerializer, JsonTraceSerializer } = createRequire(require.resolve('@opentelemetry/exporter-trace-otlp-proto'))('@opentelemetry/otlp-transformer');

/** `n` ended spans of the fibonacci service's shape (3 a request). */
function fibonacciSpans(n) {
  const spans = [];
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'bench-encode' })),
    spanProcessors: [{ onStart() {}, onEnd: (span) => void spans.push(span), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const tracer = provider.getTracer('bench');
  for (let i = 0; spans.length < n; i++) {
    const root = tracer.startSpan('root');
    const parent = api.trace.setSpan(api.context.active(), root);
    for (const name of ['fib_slow', 'fib_fast']) {
      const span = tracer.startSpan(name, undefined, parent);
      span.setAttributes({ n: 20, nth_fibonacci: 6765 });
      span.end();
    }
    root.end();
  }
  return spans.slice(0, n);
}

const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

function ours(protocol) {
  const encoding = traceEncoding(protocol);
  const batch = encoding.newBatch();
  return (spans) => {
    for (let i = 0; i < spans.length; i++) batch.add(spans[i], Infinity);
    return batch.take().body;
  };
}

const PATHS = {
  'forkhooks http/protobuf (add+take)': ours('http/protobuf'),
  'forkhooks http/json (add+take)': ours('http/json'),
  'official ProtobufTraceSerializer': (spans) => ProtobufTraceSerializer.serializeRequest(spans),
  'official JsonTraceSerializer': (spans) => JsonTraceSerializer.serializeRequest(spans),
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main() {
  const spans = fibonacciSpans(BATCH * 8);
  const batches = Array.from({ length: 8 }, (_, i) => spans.slice(i * BATCH, (i + 1) * BATCH));
  // BENCH_PATHS: a comma-separated list of substrings of path names (for `node --cpu-prof` of one path).
  const only = process.env.BENCH_PATHS?.split(',');
  const names = Object.keys(PATHS).filter((name) => !only || only.some((part) => name.includes(part)));
  const perSpan = Object.fromEntries(names.map((name) => [name, []]));
  let bytes = 0;
  for (let r = -2; r < ROUNDS; r++) {
    // Two warm-up rounds (r < 0) let the JIT settle; rotated order after that.
    const k = Math.max(r, 0) % names.length;
    for (const name of [...names.slice(k), ...names.slice(0, k)]) {
      const encode = PATHS[name];
      const c0 = cpuUs();
      for (let b = 0; b < BATCHES; b++) bytes += encode(batches[b % batches.length]).length;
      if (r >= 0) perSpan[name].push((cpuUs() - c0) / (BATCHES * BATCH));
    }
  }
  for (const name of names) {
    const xs = perSpan[name];
    process.stdout.write(`${JSON.stringify({ path: name, usPerSpan: Number(median(xs).toFixed(3)), min: Number(Math.min(...xs).toFixed(3)), max: Number(Math.max(...xs).toFixed(3)), rounds: xs.length, spansPerRound: BATCHES * BATCH })}\n`);
  }
  process.stdout.write(`${JSON.stringify({ node: process.version, bytesEncoded: bytes })}\n`);
}

main();
