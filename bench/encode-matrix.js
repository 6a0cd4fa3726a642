// `node bench/encode-matrix.js`: bench/apps/encode-cost.js (OTLP encoding alone: forkhooks' encoders
// against the official serializers, CPU µs per span) on Node 20 and Node 24 × the OpenTelemetry 2.x
// and 3.x lines, one encode-cost.js process per cell, the cells one after the other.
//
//   node bench/encode-matrix.js [--name NAME] [--out DIR] [--cells 20:2.x,24:3.x,...]
//
//   Node 20 / 24   the running node when it is that major, else scripts/node-version.sh <major>
//   2.x            the repo's own node_modules (package-lock.json): encode-cost.js run where it is
//   3.x            the folder the otel-init tests install from packages/otel-init/test/otel3-manifest.json
//                  (test-utils/fixture-install.ts, cached; the npm registry the first time), with the
//                  repo's @forkhooks packages linked in: encode-cost.js is copied there and run with
//                  NODE_PRESERVE_SYMLINKS=1, so it measures that line's serializers.
// The 3.x line declares Node >= 22.15: its Node 20 cell is run all the same and marked outside the
// line's engines (a cell that fails says why; the others still run). The ratios are forkhooks ÷
// official of the medians of one cell, so both sides of a ratio come from the same process.
// Writes DIR/NAME.json and NAME.md (default DIR bench/results, NAME encode-cost-latest).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { dirname, join, resolve } = require('node:path');
const { mdTable } = require('./lib/report');
const { requireTs } = require('./lib/ts-require');

const REPO = join(__dirname, '..');
const RESULTS = join(__dirname, 'results');
const APP = join(__dirname, 'apps', 'encode-cost.js');
const OTEL3_MANIFEST = JSON.parse(readFileSync(join(REPO, 'packages', 'otel-init', 'test', 'otel3-manifest.json'), 'utf8'));
const ALL_CELLS = ['20:2.x', '20:3.x', '24:2.x', '24:3.x'];
const CELL_TIMEOUT_MS = 900_000;

function parseArgs(argv) {
  const args = { name: 'encode-cost-latest', out: RESULTS, cells: ALL_CELLS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--name') args.name = String(argv[++i] ?? '');
    else if (arg === '--out') args.out = resolve(argv[++i] ?? '');
    else if (arg === '--cells') args.cells = String(argv[++i] ?? '').split(',');
    else throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: node bench/encode-matrix.js [--name NAME] [--out DIR] [--cells ${ALL_CELLS.join(',')}]`);
  }
  const bad = args.cells.filter((c) => !/^\d+:(2|3)\.x$/.test(c));
  if (bad.length) throw new Error(`--cells: ${bad.join(', ')} is not NODE_MAJOR:LINE; use e.g. --cells ${ALL_CELLS.join(',')}`);
  if (!/^[A-Za-z0-9._-]+$/.test(args.name)) throw new Error(`--name: ${JSON.stringify(args.name)} is not a file name; use e.g. --name encode-cost-2026-12-07`);
  return args;
}

/** The node binary of `major`: this one, or scripts/node-version.sh's (downloaded once into .cache/). */
function nodeOf(major) {
  if (process.version.startsWith(`v${major}.`)) return process.execPath;
  return join(execFileSync('bash', [join(REPO, 'scripts', 'node-version.sh'), major], { timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim(), 'node');
}

/** The version of package `name` as installed under `root` (null when absent). */
function installed(root, name) {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
}

/** Whether `nodeVersion` meets sdk-trace's `engines.node` (a plain `>=x.y.z`; null when not that form). */
function withinEngines(root, nodeVersion) {
  const range = JSON.parse(readFileSync(join(root, 'node_modules', '@opentelemetry', 'sdk-trace', 'package.json'), 'utf8')).engines?.node ?? null;
  const min = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range ?? '');
  const have = /^v?(\d+)\.(\d+)\.(\d+)/.exec(nodeVersion);
  if (!min || !have) return { sdk_trace_engines: range, within_engines: null };
  const [a, b] = [min, have].map((m) => m.slice(1, 4).map(Number));
  return { sdk_trace_engines: range, within_engines: (b.map((v, i) => v - a[i]).find((v) => v !== 0) ?? 0) >= 0 };
}

/** otlp-transformer as the protobuf exporter under `root` resolves it (what encode-cost.js measures). */
function transformerVersion(root) {
  const exporter = join(root, 'node_modules', '@opentelemetry', 'exporter-trace-otlp-proto');
  return installed(exporter, '@opentelemetry/otlp-transformer') ?? installed(root, '@opentelemetry/otlp-transformer');
}

const ratio = (a, b) => (a && b ? Number((a / b).toFixed(2)) : null);

function runCell(cell, dirs) {
  const [major, line] = cell.split(':');
  const root = line === '3.x' ? dirs['3.x'] : REPO;
  const base = { cell, node_major: Number(major), line, sdk_trace: installed(root, '@opentelemetry/sdk-trace'), otlp_transformer: transformerVersion(root) };
  let node;
  try {
    node = nodeOf(major);
  } catch (error) {
    return { ...base, error: `no Node ${major}: ${error.stderr?.toString().trim() || error.message}` };
  }
  const nodeVersion = execFileSync(node, ['--version']).toString().trim();
  const entry = line === '3.x' ? join(root, 'encode-cost.js') : APP;
  const env = { ...process.env, ...(line === '3.x' && { NODE_PRESERVE_SYMLINKS: '1' }) };
  for (const key of Object.keys(env)) if (key === 'NODE_OPTIONS') delete env[key];
  let stdout;
  try {
    stdout = execFileSync(node, [entry], { cwd: root, env, timeout: CELL_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 2 ** 20 }).toString();
  } catch (error) {
    return { ...base, node: nodeVersion, ...withinEngines(root, nodeVersion), error: `encode-cost.js failed: ${(error.stderr?.toString() || error.message).trim().split('\n').slice(-4).join(' / ')}` };
  }
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  const paths = lines.filter((l) => l.path);
  const us = (part) => paths.find((p) => p.path.includes(part))?.usPerSpan;
  return {
    ...base,
    node: nodeVersion,
    ...withinEngines(root, nodeVersion),
    paths,
    bytes_encoded: lines.find((l) => l.bytesEncoded !== undefined)?.bytesEncoded,
    // forkhooks ÷ official, from the medians of this one process (lower is better for forkhooks).
    ratio_protobuf: ratio(us('forkhooks http/protobuf'), us('official ProtobufTraceSerializer')),
    ratio_json: ratio(us('forkhooks http/json'), us('official JsonTraceSerializer')),
  };
}

function markdown(doc) {
  const cellOf = (part) => (c) => {
    const p = c.paths?.find((x) => x.path.includes(part));
    return p ? `${p.usPerSpan.toFixed(3)} (${p.min.toFixed(3)}–${p.max.toFixed(3)})` : '–';
  };
  const columns = [
    ['forkhooks http/protobuf', cellOf('forkhooks http/protobuf')],
    ['official protobuf', cellOf('official ProtobufTraceSerializer')],
    ['ratio', (c) => c.ratio_protobuf?.toFixed(2) ?? '–'],
    ['forkhooks http/json', cellOf('forkhooks http/json')],
    ['official JSON', cellOf('official JsonTraceSerializer')],
    ['ratio', (c) => c.ratio_json?.toFixed(2) ?? '–'],
  ];
  const rows = doc.cells.map((c) => {
    const name = `${c.node ?? `Node ${c.node_major}`} × ${c.line} (sdk-trace ${c.sdk_trace}, otlp-transformer ${c.otlp_transformer})${c.within_engines === false ? ', outside the line\'s engines' : ''}`;
    return c.error ? [name, `failed: ${c.error.slice(0, 200)}`, ...columns.slice(1).map(() => '')] : [name, ...columns.map(([, f]) => f(c))];
  });
  const head = ['Node × OpenTelemetry line', ...columns.map(([h]) => h)];
  return [
    `# OTLP encoding alone, CPU µs per span (${doc.name})`,
    '',
    `${doc.machine.cpu}, ${doc.machine.cores} cores, ${doc.machine.date}, load average ${doc.machine.loadavg_at_start.join(' ')} at the start and ${doc.machine.loadavg_at_end.join(' ')} at the end. Produced by \`${doc.command}\`. Each cell is one bench/apps/encode-cost.js process: median CPU µs per span over its rounds (min–max); ratio = forkhooks ÷ official of that cell's medians (lower is better for forkhooks).`,
    '',
    mdTable(head, rows),
    '',
  ].join('\n');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const machine = { cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.availableParallelism(), date: new Date().toISOString(), platform: `${os.platform()} ${os.release()}`, loadavg_at_start: os.loadavg().map((l) => +l.toFixed(2)) };
  const dirs = {};
  if (args.cells.some((c) => c.endsWith(':3.x'))) {
    process.stdout.write('installing (or reusing) the OpenTelemetry 3.x folder of the otel-init tests...\n');
    const { installFixture } = requireTs(join(REPO, 'test-utils', 'fixture-install.ts'));
    dirs['3.x'] = await installFixture('otel3', OTEL3_MANIFEST, [APP], { ownApi: true });
  }
  const cells = [];
  for (const cell of args.cells) {
    process.stdout.write(`cell Node ${cell.replace(':', ' × OpenTelemetry ')}...\n`);
    const result = runCell(cell, dirs);
    process.stdout.write(result.error ? `  failed: ${result.error}\n` : `  protobuf ${result.ratio_protobuf}, json ${result.ratio_json} (forkhooks ÷ official)\n`);
    cells.push(result);
  }
  machine.loadavg_at_end = os.loadavg().map((l) => +l.toFixed(2));
  const command = `node bench/encode-matrix.js ${process.argv.slice(2).join(' ')}`.trim();
  const doc = { name: args.name, command, machine, elapsed_s: Math.round((Date.now() - started) / 1000), settings: { BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? '15 (default)', BENCH_BATCHES: process.env.BENCH_BATCHES ?? '40 (default)' }, otel3_dir: dirs['3.x'] ?? null, cells };
  const md = markdown(doc);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, `${args.name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(join(args.out, `${args.name}.md`), md);
  process.stdout.write(`\n${md}\nwrote ${join(args.out, `${args.name}.json`)} and ${args.name}.md in ${doc.elapsed_s} s\n`);
  if (cells.some((c) => c.error && c.within_engines !== false)) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`bench/encode-matrix.js failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
