// The CPU cost of each OTLP protocol in a worker: per span and per export request (a batch of
// 512 spans), with and without gzip, measured in bench/apps/protocol-cost.js against the receiver
// in its own process (its decoding CPU is not the worker's). Configurations are interleaved over
// rounds; each figure is the median of the rounds.
//
//   node bench/run.js --only protocols        (or: node bench/lib/protocols.js [--rounds N] [--spans N])
'use strict';
const { join } = require('node:path');
const { startNode, waitForLine, stopPid, reapAll } = require('./processes');
const { median, rotate, round } = require('./stats');

const APP = join(__dirname, '..', 'apps', 'protocol-cost.js');
const CLI = join(__dirname, '..', '..', 'packages', 'receiver', 'dist', 'cli.js');
const CONFIGS = [
  ['http/json', 'none'],
  ['http/protobuf', 'none'],
  ['grpc', 'none'],
  ['http/json', 'gzip'],
  ['http/protobuf', 'gzip'],
  ['grpc', 'gzip'],
];

/** Runs one configuration in a fresh process; resolves with its rounds. */
async function runOnce(env, protocol, compression, spans, rounds, endpoints) {
  const proc = startNode(`protocol-cost ${protocol} ${compression}`, APP, [], {
    env: {
      ...env,
      BENCH_PROTOCOL: protocol,
      BENCH_COMPRESSION: compression,
      BENCH_SPANS: String(spans),
      BENCH_ROUNDS: String(rounds),
      OTEL_EXPORTER_OTLP_ENDPOINT: protocol === 'grpc' ? endpoints.grpc : endpoints.http,
    },
  });
  const { code } = await proc.exited;
  if (code !== 0) throw new Error(`protocol-cost ${protocol}/${compression} exited ${code}\n${proc.stderr()}`);
  const lines = proc.stdout().trim().split('\n').map((line) => JSON.parse(line));
  const short = lines.find((line) => line.exported !== line.spans);
  if (short) throw new Error(`protocol-cost ${protocol}/${compression}: a round exported ${short.exported} of ${short.spans} spans`);
  return lines;
}

/** The cost per span and per request of each protocol; `env` is the apps' environment. */
async function measureProtocols({ env, say, settings }) {
  const opts = settings?.protocols ?? { spans: 10_240, rounds: 3, repeats: 3 };
  const receiver = startNode('receiver (protocols)', CLI, ['--port', '0', '--host', '127.0.0.1', '--max-spans', '0'], { env });
  try {
    const [, http, grpc] = await waitForLine(receiver, /listening on (http:\/\/127\.0\.0\.1:\d+)[^]*OTLP\/gRPC on (http:\/\/127\.0\.0\.1:\d+)/, 10_000);
    const samples = Object.fromEntries(CONFIGS.map(([p, c]) => [`${p} ${c}`, []]));
    for (let i = 0; i < opts.repeats; i++) {
      for (const [protocol, compression] of rotate(CONFIGS, i)) {
        samples[`${protocol} ${compression}`].push(...(await runOnce(env({}), protocol, compression, opts.spans, opts.rounds, { http, grpc })));
      }
    }
    const result = {};
    for (const [name, rounds] of Object.entries(samples)) {
      const exportPerSpan = median(rounds.map((r) => r.exportUs / r.spans));
      const exportPerRequest = median(rounds.map((r) => r.exportUs / r.requests));
      const createPerSpan = median(rounds.map((r) => r.createUs / r.spans));
      result[name] = { export_us_per_span: round(exportPerSpan, 2), export_us_per_request: round(exportPerRequest, 0), create_us_per_span: round(createPerSpan, 2), rounds: rounds.length };
      say(`  ${name.padEnd(19)} export ${result[name].export_us_per_span} µs/span, ${result[name].export_us_per_request} µs/request (512 spans); making the span ${result[name].create_us_per_span} µs`);
    }
    return result;
  } finally {
    await stopPid(receiver.pid);
  }
}

module.exports = { measureProtocols };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const value = (flag, fallback) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : fallback);
  const base = {};
  for (const [key, v] of Object.entries(process.env)) if (!/^(OTEL_|FORKHOOKS_|BENCH_)/.test(key) && key !== 'NODE_OPTIONS') base[key] = v;
  const settings = { protocols: { spans: value('--spans', 10_240), rounds: value('--rounds', 3), repeats: value('--repeats', 3) } };
  measureProtocols({ env: (extra) => ({ ...base, FORKHOOKS_LOG: 'warn', ...extra }), say: (line) => process.stdout.write(`${line}\n`), settings })
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exitCode = 1;
    })
    .finally(() => reapAll());
}
