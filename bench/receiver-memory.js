// `node bench/receiver-memory.js`: what one large body costs the receiver (issue 21, item 11). Each
// case starts the receiver CLI (packages/receiver/dist/cli.js, its defaults: 16 MiB maxBodyBytes,
// 1,000,000 maxSpans) in a fresh process, POSTs its body (or several at once), and meanwhile asks
// `GET /` every 50 ms. It records the answer, the peak RSS of the receiver (VmHWM from /proc, minus
// its RSS before the body), and the slowest `GET /` while the body was being handled.
//
//   node bench/receiver-memory.js [--name NAME] [--nodes 20,24] [--cases a,b] [--mib N] [--cli PATH]
//
// --cli: another build of the receiver CLI (the one before a change, say: a worktree's dist/cli.js).
//
// Bodies of about N MiB (default 15, under the default limit): hostile but valid OTLP (empty
// ResourceSpans, empty spans, empty events, in protobuf and JSON), and real spans made by the
// OpenTelemetry SDK and serialized by its own otlp-transformer. Writes bench/results/NAME.json
// (default NAME receiver-memory-latest). Each Node major runs the receiver with that Node's binary
// (this one, or scripts/node-version.sh's).
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { request } = require('node:http');
const os = require('node:os');
const { join } = require('node:path');
const { startNode, waitForLine, stopPid, reapAll } = require('./lib/processes');

const REPO = join(__dirname, '..');
const DEFAULT_CLI = join(REPO, 'packages', 'receiver', 'dist', 'cli.js');
const MiB = 1024 * 1024;

// ---- bodies -------------------------------------------------------------------------------------

function varint(n) {
  const bytes = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** A length-delimited field `field` holding `payload`. */
function message(field, payload) {
  return Buffer.concat([Buffer.from([(field << 3) | 2]), varint(payload.length), payload]);
}

const repeat = (pattern, bytes) => Buffer.alloc(Math.floor(bytes / pattern.length) * pattern.length, pattern);

/** The SDK's own spans, fibonacci-shaped (a server span with http attributes), `count` of them. */
function realSpans(count) {
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench', 'service.instance.id': 'bench-1', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('bench', '1.0.0');
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan('GET /fib/:n', {
      kind: 1,
      attributes: { 'http.request.method': 'GET', 'url.path': `/fib/${i % 40}`, 'http.route': '/fib/:n', 'http.response.status_code': 200, 'server.port': 3000 },
    });
    span.addEvent('computed', { n: i % 40 });
    span.end();
  }
  return exporter.getFinishedSpans();
}

let realCache;
function real(bytes) {
  const { ProtobufTraceSerializer, JsonTraceSerializer } = require('@opentelemetry/otlp-transformer');
  if (realCache === undefined) {
    const sample = realSpans(1_000);
    const perSpan = ProtobufTraceSerializer.serializeRequest(sample).length / sample.length;
    const spans = realSpans(Math.floor(bytes / perSpan));
    realCache = { pb: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)), json: null, spans };
    // JSON of the same spans is about three times the size: a third as many, so it stays under the limit too.
    realCache.json = Buffer.from(JsonTraceSerializer.serializeRequest(spans.slice(0, Math.floor(spans.length / 3.3))));
  }
  return realCache;
}

const PB = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
const CASES = {
  'pb-empty-resource-spans': (b) => ({ type: PB, body: repeat(Buffer.from([0x0a, 0x00]), b) }),
  'pb-empty-spans': (b) => ({ type: PB, body: message(1, message(2, repeat(Buffer.from([0x12, 0x00]), b - 16))) }),
  'pb-empty-events': (b) => ({ type: PB, body: message(1, message(2, message(2, repeat(Buffer.from([0x5a, 0x00]), b - 32)))) }),
  'pb-empty-attributes': (b) => ({ type: PB, body: message(1, message(2, message(2, repeat(Buffer.from([0x4a, 0x00]), b - 32)))) }),
  'pb-real-spans': (b) => ({ type: PB, body: real(b).pb }),
  'json-empty-resource-spans': (b) => ({ type: JSON_TYPE, body: Buffer.from(`{"resourceSpans":[${'{},'.repeat(Math.floor(b / 3) - 8)}{}]}`) }),
  'json-empty-spans': (b) => ({ type: JSON_TYPE, body: Buffer.from(`{"resourceSpans":[{"scopeSpans":[{"spans":[${'{},'.repeat(Math.floor(b / 3) - 16)}{}]}]}]}`) }),
  'json-real-spans': (b) => ({ type: JSON_TYPE, body: real(b).json }),
  'pb-empty-resource-spans-x3': (b) => ({ ...CASES['pb-empty-resource-spans'](b), concurrent: 3 }),
  'pb-real-spans-x3': (b) => ({ ...CASES['pb-real-spans'](b), concurrent: 3 }),
};

// ---- measuring ----------------------------------------------------------------------------------

function procStatus(pid, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

function post(url, type, body, timeoutMs) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': type, 'content-length': body.length }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        resolve({ status: res.statusCode, ms: Math.round(performance.now() - started), answer: text.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 240) });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: 0, ms: Math.round(performance.now() - started), answer: error.message }));
    req.end(body);
  });
}

function getRoot(url) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(`${url}/`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - started));
    });
    req.setTimeout(60_000, () => req.destroy());
    req.on('error', () => resolve(performance.now() - started));
    req.end();
  });
}

async function runCase(node, cli, name, bytes) {
  const { type, body, concurrent = 1 } = CASES[name](bytes);
  const proc = startNode('receiver', cli, ['--port', '0', '--grpc-port', '0'], { node, env: { ...process.env } });
  try {
    const [, url] = await waitForLine(proc, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
    await getRoot(url);
    const rssBefore = procStatus(proc.pid, 'VmRSS');
    let done = false;
    const getMs = [];
    const poller = (async () => {
      while (!done) {
        getMs.push(await getRoot(url));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: concurrent }, () => post(url, type, body, 120_000)));
    const wallMs = Math.round(performance.now() - started);
    done = true;
    await poller;
    const peak = procStatus(proc.pid, 'VmHWM');
    const summary = await new Promise((resolve) => {
      const req = request(`${url}/`, { agent: false }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(JSON.parse(text).stats));
      });
      req.on('error', () => resolve(undefined));
      req.end();
    });
    return {
      case: name,
      bodyBytes: body.length,
      concurrent,
      statuses: answers.map((a) => a.status),
      answer: answers[0].answer,
      wallMs,
      rssBeforeMB: +(rssBefore / MiB).toFixed(1),
      peakRssMB: +(peak / MiB).toFixed(1),
      peakDeltaMB: +((peak - rssBefore) / MiB).toFixed(1),
      peakDeltaPerBodyByte: +((peak - rssBefore) / (body.length * concurrent)).toFixed(2),
      getRootMaxMs: Math.round(Math.max(0, ...getMs)),
      getRootCount: getMs.length,
      spansReceived: summary?.spansReceived,
      spansStored: summary?.spansStored,
    };
  } finally {
    await stopPid(proc.pid, 'SIGTERM', 5_000);
  }
}

function nodeOf(major) {
  if (process.version.startsWith(`v${major}.`)) return process.execPath;
  const bin = execFileSync('bash', [join(REPO, 'scripts', 'node-version.sh'), String(major)], { timeout: 300_000 }).toString().trim();
  return join(bin, 'node');
}

function parseArgs(argv) {
  const args = { name: 'receiver-memory-latest', nodes: ['20', '24'], cases: Object.keys(CASES), mib: 15, cli: DEFAULT_CLI };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--name') args.name = String(argv[++i] ?? '');
    else if (arg === '--nodes') args.nodes = String(argv[++i] ?? '').split(',');
    else if (arg === '--cases') args.cases = String(argv[++i] ?? '').split(',');
    else if (arg === '--mib') args.mib = Number(argv[++i]);
    else if (arg === '--cli') args.cli = String(argv[++i] ?? '');
    else throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: node bench/receiver-memory.js [--name NAME] [--nodes 20,24] [--cases ${Object.keys(CASES).join(',')}] [--mib N] [--cli PATH]`);
  }
  const unknown = args.cases.filter((c) => !(c in CASES));
  if (unknown.length) throw new Error(`--cases: unknown ${unknown.join(', ')}; known: ${Object.keys(CASES).join(', ')}`);
  if (!/^[A-Za-z0-9._-]+$/.test(args.name)) throw new Error(`--name: ${JSON.stringify(args.name)} is not a file name`);
  if (!(args.mib > 0 && args.mib < 16)) throw new Error('--mib: a size in MiB under the 16 MiB default limit, e.g. --mib 15');
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const results = [];
  for (const major of args.nodes) {
    const node = nodeOf(major);
    const version = execFileSync(node, ['-v']).toString().trim();
    for (const name of args.cases) {
      const row = { node: version, ...(await runCase(node, args.cli, name, Math.floor(args.mib * MiB))) };
      results.push(row);
      console.log(
        `${version} ${name.padEnd(28)} ${String(row.statuses).padEnd(12)} peak +${row.peakDeltaMB} MB (${row.peakDeltaPerBodyByte}x body) ` +
          `wall ${row.wallMs} ms, slowest GET / ${row.getRootMaxMs} ms  ${row.answer.slice(0, 100)}`,
      );
    }
  }
  const out = join(__dirname, 'results', `${args.name}.json`);
  const meta = { date: new Date().toISOString(), receiver: args.cli, cpus: os.cpus().length, loadavg: os.loadavg().map((l) => +l.toFixed(1)), mib: args.mib, command: `node bench/receiver-memory.js ${process.argv.slice(2).join(' ')}`.trim() };
  writeFileSync(out, `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => reapAll());
