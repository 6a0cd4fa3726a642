// `npm run bench:matrix`: the span-pipeline microbench (and, with --e2e, the throughput section's
// tracing overhead) on Node 20 and Node 24 × the OpenTelemetry 2.x and 3.x lines (issue 14, section 1).
//
//   node bench/matrix.js [--e2e] [--quick | --smoke] [--name NAME] [--out DIR] [--cells 20:2.x,24:3.x,...]
//
// Each cell is one `bench/run.js --only pipeline[,throughput]` run under that cell's Node binary, so
// every figure of a cell (the sides' rounds, their paired ratios, the noise verdict) comes from one
// run on one Node, as `npm run bench` measures them; the cells run one after the other.
//   Node 20   the running node when it is 20, else scripts/node-version.sh 20
//   Node 24   scripts/node-version.sh 24: the binary CI's second pass uses (.ci/run)
//   2.x       the repo's own node_modules (package-lock.json)
//   3.x       a folder outside the repo installed from packages/otel-init/test/otel3-manifest.json (the
//             3.x line the otel-init tests run) plus BENCH_EXTRA below, by test-utils/fixture-install.ts
//             (cached; the npm registry the first time), with the repo's @forkhooks packages linked
//             in; run.js's --app-dir runs the apps from it (bench/lib/app-dir.js).
// The 3.x line declares Node >= 22.15: its Node 20 cells are run all the same, and the table marks
// them "outside the line's engines" (a cell that fails says why and the others still run).
// Writes DIR/NAME.json and NAME.md (default DIR bench/results, NAME matrix-latest, which git ignores).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { dirname, join, resolve } = require('node:path');
const { mdTable } = require('./lib/report');
const { reapAll, startNode } = require('./lib/processes');
const { judge } = require('./lib/report');
const { GOALS } = require('./lib/settings');
const { round } = require('./lib/stats');
const { requireTs } = require('./lib/ts-require');

const REPO = join(__dirname, '..');
const RESULTS = join(__dirname, 'results');
const OTEL3_MANIFEST = JSON.parse(readFileSync(join(REPO, 'packages', 'otel-init', 'test', 'otel3-manifest.json'), 'utf8'));
/** What the bench needs on 3.x beyond what the otel-init tests install: NodeSDK of that line, for the end-to-end baseline. */
const BENCH_EXTRA = { '@opentelemetry/sdk-node': '^0.301.0' };
/** How long one cell may take, per mode (run.js has its own deadline too). */
const CELL_TIMEOUT_S = { full: 1_200, quick: 400, smoke: 200 };
const ALL_CELLS = ['20:2.x', '20:3.x', '24:2.x', '24:3.x'];

function parseArgs(argv) {
  const args = { e2e: false, mode: 'full', name: 'matrix-latest', out: RESULTS, cells: ALL_CELLS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--e2e') args.e2e = true;
    else if (arg === '--quick' || arg === '--smoke') args.mode = arg.slice(2);
    else if (arg === '--name') args.name = String(argv[++i] ?? '');
    else if (arg === '--out') args.out = resolve(argv[++i] ?? '');
    else if (arg === '--cells') args.cells = String(argv[++i] ?? '').split(',');
    else throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: node bench/matrix.js [--e2e] [--quick | --smoke] [--name NAME] [--out DIR] [--cells ${ALL_CELLS.join(',')}]`);
  }
  const bad = args.cells.filter((c) => !/^\d+:(2|3)\.x$/.test(c));
  if (bad.length) throw new Error(`--cells: ${bad.join(', ')} is not NODE_MAJOR:LINE; use e.g. --cells ${ALL_CELLS.join(',')}`);
  if (!/^[A-Za-z0-9._-]+$/.test(args.name)) throw new Error(`--name: ${JSON.stringify(args.name)} is not a file name; use letters, digits, '.', '_' or '-', e.g. --name matrix-2026-11-30`);
  return args;
}

/** The node binary of `major`: this one, or scripts/node-version.sh's (downloaded once into .cache/). */
function nodeOf(major) {
  if (process.version.startsWith(`v${major}.`)) return process.execPath;
  try {
    return join(execFileSync('bash', [join(REPO, 'scripts', 'node-version.sh'), major], { timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim(), 'node');
  } catch (error) {
    throw new Error(`Node ${major}: scripts/node-version.sh ${major} failed (it needs the npm registry the first time): ${error.stderr?.toString().trim() || error.message}`);
  }
}

/** The 3.x folder (installed once, cached), with the example service linked in for the end-to-end apps. */
async function otel3Dir() {
  const { installFixture } = requireTs(join(REPO, 'test-utils', 'fixture-install.ts'));
  const manifest = { ...OTEL3_MANIFEST, name: 'forkhooks-bench-otel3', dependencies: { ...OTEL3_MANIFEST.dependencies, ...BENCH_EXTRA } };
  const dir = await installFixture('bench-otel3', manifest, [], { ownApi: true });
  const link = join(dir, 'node_modules', '@forkhooks', 'example-fibonacci');
  rmSync(link, { recursive: true, force: true });
  symlinkSync(join(REPO, 'examples', 'fibonacci'), link, 'dir');
  return dir;
}

/** The installed version of package `name` under `root`/node_modules (null when absent). */
function installed(root, name) {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
}

/** Runs one cell: run.js under its Node, from its folder; resolves with the cell's figures or its failure. */
async function runCell(cell, args, dirs) {
  const [major, line] = cell.split(':');
  const node = nodeOf(major);
  const appDir = line === '3.x' ? dirs['3.x'] : null;
  const out = mkdtempSync(join(os.tmpdir(), 'forkhooks-matrix-'));
  const sections = args.e2e ? 'pipeline,throughput' : 'pipeline';
  const runArgs = ['--only', sections, '--out', out, '--name', 'cell', ...(args.mode === 'full' ? [] : [`--${args.mode}`]), ...(appDir ? ['--app-dir', appDir] : [])];
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` };
  try {
    const proc = startNode(`bench/run.js (cell ${cell})`, join(__dirname, 'run.js'), runArgs, { env, node });
    echoProgress(proc.child.stdout, `  [${cell}] `);
    const timer = setTimeout(() => process.kill(proc.pid, 'SIGTERM'), CELL_TIMEOUT_S[args.mode] * 1000);
    const { code, signal } = await proc.exited;
    clearTimeout(timer);
    const file = join(out, 'cell.json');
    if (code !== 0 || !existsSync(file)) return { cell, node_major: Number(major), line, ...engines(appDir ?? REPO, execFileSync(node, ['--version']).toString().trim()), error: `bench/run.js exited ${signal ?? code}: ${proc.stderr().trim().split('\n').slice(-6).join(' / ')}` };
    return summarize(cell, JSON.parse(readFileSync(file, 'utf8')), appDir ?? REPO);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Echoes a cell's progress lines, prefixed, without the raw JSON a partial run prints (the cell's file has it). */
function echoProgress(stream, prefix) {
  let rest = '';
  let inJson = false;
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      if (line === '{') inJson = true;
      if (!inJson) process.stdout.write(`${prefix}${line}\n`);
      if (line === '}') inJson = false;
    }
  });
}

/** sdk-trace's declared Node range, and whether `nodeVersion` is inside it (null: a range this does not read). */
function engines(root, nodeVersion) {
  const range = JSON.parse(readFileSync(join(root, 'node_modules', '@opentelemetry', 'sdk-trace', 'package.json'), 'utf8')).engines?.node ?? null;
  const min = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range ?? '');
  const have = /^v?(\d+)\.(\d+)\.(\d+)/.exec(nodeVersion ?? '');
  let within = null;
  if (min && have) {
    const [a, b] = [min, have].map((m) => m.slice(1, 4).map(Number));
    const d = b.map((v, i) => v - a[i]).find((v) => v !== 0) ?? 0;
    within = d >= 0;
  }
  return { sdk_trace_engines: range, within_engines: within };
}

/** A cell's row: what the table shows, from run.js's partial-run JSON. */
function summarize(cell, doc, root) {
  const [major, line] = cell.split(':');
  const p = doc.pipeline;
  const row = {
    cell,
    node_major: Number(major),
    line,
    node: p.node,
    sdk_trace: p.otel.sdk_trace,
    exporter: p.otel.exporter,
    ...engines(root, p.node),
    forkhooks_us_per_span: p.forkhooks_us_per_span,
    forkhooks_sdk_us_per_span: p.forkhooks_sdk_us_per_span,
    stock_us_per_span: p.stock_us_per_span,
    ratio_vs_stock: p.ratio_vs_stock,
    ratio_range: p.ratio_range,
    ratio_vs_forkhooks_sdk: p.ratio_vs_forkhooks_sdk,
    spans_only_us_per_span: p.spans_only_us_per_span,
    own_ratio_vs_stock: p.own_ratio_vs_stock,
    // Issue 14 section 2's goal, judged as the report does: every round must clear it.
    goal_pipeline: judge(p.ratio_rounds, (v) => v >= GOALS.pipeline_vs_stock).met_text,
    noisy: p.noisy,
    noise: p.noise,
    export_path_forkhooks: p.export_path_forkhooks,
    pipeline: p,
  };
  const t = doc.throughput;
  if (t) {
    const o = t.overhead;
    row.e2e = {
      sdk_node: installed(root, '@opentelemetry/sdk-node'),
      overhead_us_per_request: { forkhooks: round(o.us_per_request.forkhooks), nodesdk: round(o.us_per_request.nodesdk) },
      overhead_ratio_vs_nodesdk: round(o.ratio_vs_nodesdk, 3),
      ratio_range: o.rounds.ratio_vs_nodesdk.length ? [Math.min(...o.rounds.ratio_vs_nodesdk), Math.max(...o.rounds.ratio_vs_nodesdk)].map((v) => round(v, 3)) : null,
      untraced_spread: round(o.untraced_spread, 3),
      noisy: o.noisy,
      goal_overhead: judge(o.rounds.ratio_vs_nodesdk, (v) => v <= GOALS.overhead_vs_nodesdk).met_text,
      throughput_ratio_vs_nodesdk: round(t.ratio_vs_nodesdk, 3),
      // About 4 (server span, root, fib_slow, fib_fast): the traced apps did trace on this line.
      spans_per_request: Object.fromEntries(Object.entries(t.spans_per_request).map(([k, v]) => [k, round(v, 2)])),
    };
  }
  return row;
}

const fmt = (v, d = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** The Markdown table of the cells. */
function markdown(doc) {
  const head = ['Node × OTel', 'node', 'sdk-trace / exporter', 'forkhooks µs/span', 'forkhooks-sdk µs/span', 'stock µs/span', 'stock / forkhooks (rounds)', `>= ${GOALS.pipeline_vs_stock}`, 'noise', 'spans-only µs/span', 'own cost, stock / forkhooks'];
  if (doc.e2e) head.push('overhead µs/req forkhooks / NodeSDK', 'overhead ratio (rounds)', `<= ${GOALS.overhead_vs_nodesdk}`, 'e2e noise', 'sdk-node');
  const rows = doc.cells.map((c) => {
    const name = `${c.node_major} × ${c.line}${c.within_engines === false ? ' (outside the line\'s engines)' : ''}`;
    if (c.error) return [name, '-', '-', `FAILED: ${c.error.replace(/\|/g, '\\|')}`, ...head.slice(4).map(() => '-')];
    const cells = [name, c.node, `${c.sdk_trace} / ${c.exporter}`, fmt(c.forkhooks_us_per_span), fmt(c.forkhooks_sdk_us_per_span), fmt(c.stock_us_per_span), `${fmt(c.ratio_vs_stock)} (${c.ratio_range ? c.ratio_range.map((v) => fmt(v)).join('–') : 'n/a'})`, c.goal_pipeline, c.noisy ? 'NOISY' : 'quiet', fmt(c.spans_only_us_per_span), fmt(c.own_ratio_vs_stock)];
    if (doc.e2e) {
      const e = c.e2e;
      cells.push(e ? `${fmt(e.overhead_us_per_request.forkhooks, 0)} / ${fmt(e.overhead_us_per_request.nodesdk, 0)}` : '-', e ? `${fmt(e.overhead_ratio_vs_nodesdk)} (${e.ratio_range ? e.ratio_range.map((v) => fmt(v)).join('–') : 'n/a'})` : '-', e?.goal_overhead ?? '-', e ? (e.noisy ? 'NOISY' : 'quiet') : '-', e?.sdk_node ?? '-');
    }
    return cells;
  });
  return [
    `# Span pipeline${doc.e2e ? ' and tracing overhead' : ''}: Node × OpenTelemetry line (${doc.mode})`,
    '',
    `${doc.machine.cpu}, ${doc.machine.cores} cores, ${doc.machine.date}. Produced by \`${doc.command}\`. Each cell is one run; its ratios are per round (paired), stock ÷ forkhooks in CPU per span (higher is better for forkhooks), forkhooks ÷ NodeSDK in tracing overhead (lower is better); forkhooks-sdk is forkhooks with FORKHOOKS_SPAN_PIPELINE=sdk; spans-only makes the same spans and drops them (what every side pays), and "own cost" is each pipeline's CPU over it (stock's ÷ forkhooks', from the medians).`,
    '',
    mdTable(head, rows),
    '',
  ].join('\n');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      process.stderr.write(`bench/matrix.js: ${signal}; stopping every process it started\n`);
      void reapAll().finally(() => process.exit(130));
    });
  }
  const dirs = {};
  if (args.cells.some((c) => c.endsWith(':3.x'))) {
    process.stdout.write('installing (or reusing) the OpenTelemetry 3.x folder...\n');
    dirs['3.x'] = await otel3Dir();
  }
  const started = Date.now();
  const cells = [];
  for (const cell of args.cells) {
    process.stdout.write(`cell Node ${cell.replace(':', ' × OpenTelemetry ')}...\n`);
    cells.push(await runCell(cell, args, dirs));
  }
  const command = `npm run bench:matrix -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, '');
  const left = await reapAll();
  const machine = { cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.availableParallelism(), date: new Date().toISOString(), platform: `${os.platform()} ${os.release()}`, loadavg_at_end: os.loadavg().map((l) => +l.toFixed(2)) };
  const doc = { command, machine, mode: args.mode, e2e: args.e2e, elapsed_s: Math.round((Date.now() - started) / 1000), otel3_dir: dirs['3.x'] ?? null, cells };
  const md = markdown(doc);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, `${args.name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(join(args.out, `${args.name}.md`), md);
  process.stdout.write(`\n${md}\nwrote ${join(args.out, `${args.name}.json`)} and ${args.name}.md in ${doc.elapsed_s} s\n`);
  if (left.length) throw new Error(`processes left running (now stopped): ${left.map((l) => `${l.pid} ${l.what}`).join(', ')}`);
  if (cells.some((c) => c.error && c.within_engines !== false)) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`bench/matrix.js failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  void reapAll().finally(() => process.exit(1));
});
