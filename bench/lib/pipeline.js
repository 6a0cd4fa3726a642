// The span-pipeline microbenchmark (issue 14): CPU per span of forkhooks' pipeline against the stock
// BatchSpanProcessor + OTLP/HTTP exporter, in one process (bench/apps/pipeline.js), exporting to a
// sink process (bench/apps/sink.js) on 127.0.0.1; no HTTP server, no load generator. The sides
// (forkhooks, forkhooks-sdk: its previous pipeline, stock, stock-json) each run in their own process,
// and alternate over rounds (see the app's header); each figure is the median of the rounds, with the min–max, and a side whose
// rounds spread more than NOISY_SPREAD of their median marks the run as noisy.
//
//   node bench/lib/pipeline.js [--rounds N] [--requests N] [--export-rounds N] [--app-dir DIR] [--name NAME]
//   node bench/run.js --only pipeline
//
// --app-dir runs the app from DIR (bench/lib/app-dir.js: copied there, NODE_PRESERVE_SYMLINKS=1): a
// folder holding another OpenTelemetry line's packages with the repo's @forkhooks packages linked in
// (bench/matrix.js builds one for the 3.x line, as test-utils/fixture-install.ts does for the tests). --name also writes
// bench/results/NAME.json (a pinned run, to commit).
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { APP_DIR_ENV, APPS, appsIn } = require('./app-dir');
const { reapAll, startNode, stopPid, waitForLine } = require('./processes');
const { median, range, ratio, round } = require('./stats');

const SINK = join(APPS, 'sink.js');
/** Rounds of one side spread more than this fraction of their median: the run says it is noisy. */
const NOISY_SPREAD = 0.15;
const DEFAULTS = { requests: 20_000, rounds: 15, exportRounds: 9 };
/** The sides of bench/apps/pipeline.js, each in its own process there (see its header). */
const SIDES = ['forkhooks', 'forkhooks-sdk', 'stock', 'stock-json', 'spans-only'];

/** Median, [min, max] and spread (max − min over the median) of per-span figures. */
function summary(values, digits = 2) {
  const m = median(values);
  const r = range(values);
  return { median: round(m, digits), range: r && r.map((v) => round(v, digits)), spread: round(r && m ? (r[1] - r[0]) / m : null, 3), n: values.length };
}

/** Runs the app once against a fresh sink; resolves with its parsed lines. */
async function runApp(env, opts) {
  const sink = startNode('pipeline sink', SINK, [], { env });
  try {
    const [, url] = await waitForLine(sink, /sink listening on (http:\/\/127\.0\.0\.1:\d+)/, 10_000);
    const app = join(opts.appDir ? appsIn(opts.appDir) : APPS, 'pipeline.js');
    const appEnv = { ...env, BENCH_SINK: url, BENCH_REQUESTS: String(opts.requests), BENCH_ROUNDS: String(opts.rounds), BENCH_EXPORT_ROUNDS: String(opts.exportRounds), ...(opts.sides && { BENCH_SIDES: opts.sides }) };
    if (opts.appDir) Object.assign(appEnv, APP_DIR_ENV);
    const proc = startNode('pipeline', app, [], { env: appEnv, execArgv: opts.execArgv ?? [] });
    // All of it (proc.stdout() keeps only a tail): one JSON line per round.
    let out = '';
    proc.child.stdout.on('data', (chunk) => (out += chunk));
    const { code } = await proc.exited;
    if (code !== 0) throw new Error(`bench/apps/pipeline.js exited ${code}\n${proc.stderr()}`);
    return out.trim().split('\n').map((line) => JSON.parse(line));
  } finally {
    await stopPid(sink.pid);
  }
}

/** The pipeline section: per side and per export path, CPU µs per span (median of rounds) and spans/s per core. */
async function measurePipeline({ env, say, settings, appDir }) {
  const opts = { ...DEFAULTS, ...(settings?.pipeline ?? {}), ...(appDir && { appDir }) };
  const lines = await runApp(env({}), opts);
  const done = lines.find((l) => l.kind === 'done');
  const perSpan = (kind, key, name) => lines.filter((l) => l.kind === kind && l[key] === name).map((l) => l.cpuUs / l.spans);
  const sides = {};
  for (const side of SIDES) {
    const s = summary(perSpan('pipeline', 'side', side));
    if (s.n === 0) continue;
    sides[side] = { us_per_span: s.median, range_us: s.range, spread: s.spread, spans_per_s_per_core: round(s.median ? 1e6 / s.median : null, 0), rounds: s.n };
  }
  // Paired: the sides of one round ran back to back.
  const byRound = (side) => lines.filter((l) => l.kind === 'pipeline' && l.side === side);
  const fh = byRound('forkhooks');
  const pairedRatios = (side) => byRound(side).map((st, i) => round(ratio(st.cpuUs / st.spans, fh[i] && fh[i].cpuUs / fh[i].spans), 3));
  const roundRatios = pairedRatios('stock');
  // Section 2's before/after: forkhooks' previous pipeline (FORKHOOKS_SPAN_PIPELINE=sdk) over the current one.
  const sdkRatios = pairedRatios('forkhooks-sdk');
  const exportPaths = {};
  for (const name of [...new Set(lines.filter((l) => l.kind === 'export').map((l) => l.path))]) {
    const s = summary(perSpan('export', 'path', name));
    exportPaths[name] = { us_per_span: s.median, range_us: s.range, spread: s.spread };
  }
  // What each pipeline adds over making the spans (the spans-only side): the part a pipeline owns,
  // from the medians. Not per round: a round's difference of two noisy figures can come out near zero
  // or below it, and a ratio of such differences means nothing.
  const onlyUs = sides['spans-only']?.us_per_span ?? null;
  const noisy = Object.entries(sides).filter(([, s]) => s.spread > NOISY_SPREAD);
  const forkhooksUs = sides.forkhooks?.us_per_span ?? null;
  const stockUs = sides.stock?.us_per_span ?? null;
  const sdkUs = sides['forkhooks-sdk']?.us_per_span ?? null;
  const result = {
    node: done?.node ?? null,
    otel: { sdk_trace: done?.sdk ?? null, exporter: done?.exporter ?? null },
    ...(opts.appDir && { app_dir: opts.appDir }),
    forkhooks_us_per_span: forkhooksUs,
    stock_us_per_span: stockUs,
    // stock ÷ forkhooks in CPU per span: higher is better for forkhooks.
    ratio_vs_stock: round(ratio(stockUs, forkhooksUs), 3),
    ratio_rounds: roundRatios,
    ratio_range: range(roundRatios),
    forkhooks_sdk_us_per_span: sdkUs,
    // forkhooks-sdk ÷ forkhooks: how much the current pipeline saves over the previous one (> 1: it does).
    ratio_vs_forkhooks_sdk: round(ratio(sdkUs, forkhooksUs), 3),
    ratio_vs_forkhooks_sdk_rounds: sdkRatios,
    // Making the spans alone (the SDK's tracer, spans, ids, context), which every side pays.
    spans_only_us_per_span: onlyUs,
    // Each pipeline's own cost over that, and stock's over forkhooks' (from the medians).
    pipeline_own_us_per_span: onlyUs === null ? null : { forkhooks: round(forkhooksUs - onlyUs, 2), stock: round(stockUs - onlyUs, 2) },
    own_ratio_vs_stock: onlyUs === null ? null : round(ratio(stockUs - onlyUs, forkhooksUs - onlyUs), 3),
    sides,
    export_path: exportPaths,
    // Which code 'forkhooks (http/protobuf)' measured (bench/apps/pipeline.js, forkhooksExportPath).
    export_path_forkhooks: done?.forkhooks_export_path ?? null,
    noisy: noisy.length > 0,
    noise: noisy.length > 0 ? `noisy: ${noisy.map(([k, s]) => `${k} rounds spread ${(100 * s.spread).toFixed(0)} %`).join(', ')} (over ${100 * NOISY_SPREAD} % of the median)` : `quiet: every side's rounds within ${100 * NOISY_SPREAD} % of its median`,
    settings: { ...opts, spans_per_request: 3, chunk: 10, batch: 512, sides: Object.keys(sides) },
  };
  for (const [name, s] of Object.entries(sides)) say(`  pipeline ${name.padEnd(10)} ${s.us_per_span} µs/span (${s.range_us.join('–')} over ${s.rounds} rounds), ${s.spans_per_s_per_core} spans/s per core`);
  say(`  pipeline stock / forkhooks (CPU per span): ${result.ratio_vs_stock} (rounds ${result.ratio_range?.join('–')}); ${result.noise}`);
  if (result.own_ratio_vs_stock !== null) say(`  pipeline's own cost over making the spans (${result.spans_only_us_per_span} µs/span): forkhooks ${result.pipeline_own_us_per_span.forkhooks}, stock ${result.pipeline_own_us_per_span.stock} µs/span; stock / forkhooks ${result.own_ratio_vs_stock} (from the medians)`);
  if (sdkUs !== null) say(`  pipeline forkhooks-sdk / forkhooks (before / after): ${result.ratio_vs_forkhooks_sdk} (rounds ${range(sdkRatios)?.join('–')})`);
  for (const [name, s] of Object.entries(exportPaths)) say(`  export path ${name.padEnd(26)} ${s.us_per_span} µs/span (${s.range_us.join('–')})`);
  if (result.export_path_forkhooks) say(`  forkhooks' export path measured: ${result.export_path_forkhooks}`);
  return result;
}

module.exports = { measurePipeline, runApp, NOISY_SPREAD, SIDES };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const value = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const known = ['--rounds', '--requests', '--export-rounds', '--app-dir', '--name'];
  const unknown = argv.filter((a, i) => a.startsWith('--') && !known.includes(a) && !known.includes(argv[i - 1]));
  if (unknown.length) {
    process.stderr.write(`unknown argument(s) ${unknown.join(' ')}; usage: node bench/lib/pipeline.js [--rounds N] [--requests N] [--export-rounds N] [--app-dir DIR] [--name NAME]\n`);
    process.exit(2);
  }
  const pipeline = {
    ...DEFAULTS,
    ...(value('--rounds') && { rounds: Number(value('--rounds')) }),
    ...(value('--requests') && { requests: Number(value('--requests')) }),
    ...(value('--export-rounds') && { exportRounds: Number(value('--export-rounds')) }),
    ...(value('--app-dir') && { appDir: value('--app-dir') }),
  };
  const base = {};
  for (const [key, v] of Object.entries(process.env)) if (!/^(OTEL_|FORKHOOKS_|BENCH_)/.test(key) && key !== 'NODE_OPTIONS') base[key] = v;
  measurePipeline({ env: (extra) => ({ ...base, FORKHOOKS_LOG: 'warn', ...extra }), say: (line) => process.stdout.write(`${line}\n`), settings: { pipeline } })
    .then((result) => {
      const name = value('--name');
      const command = `node bench/lib/pipeline.js ${argv.join(' ')}`.trim();
      const doc = { command, date: new Date().toISOString(), loadavg: require('node:os').loadavg().map((l) => +l.toFixed(2)), pipeline: result };
      if (name) {
        const dir = join(__dirname, '..', 'results');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
        process.stdout.write(`wrote bench/results/${name}.json\n`);
      } else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    })
    .catch((error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exitCode = 1;
    })
    .finally(() => reapAll());
}
