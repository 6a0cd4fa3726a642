// `npm run bench`: what tracing per worker costs, against baselines taken in the same run, as ratios.
//
//   node bench/run.js [--quick | --smoke] [--out DIR] [--name NAME] [--only dispatch,startup,throughput,delivery,shutdown]
//                     [--app-dir DIR]   (with --only pipeline and/or throughput: the apps run from DIR, bench/lib/app-dir.js)
//
// (1) throughput of the 2-worker cluster service (untraced, forkhooks, NodeSDK; interleaved rounds),
// (2) delivery across rolling restarts (forkhooks vs a naive per-worker BatchSpanProcessor),
// (3) start-up of one worker, (4) shutdown with the flush, (5) hook dispatch, (6) RSS per worker.
// Writes DIR/NAME.json, NAME.md and NAME.svg (default DIR: bench/results, NAME: latest, which git
// ignores) and prints a table; a partial run (--only) writes NAME.json only under a pinned --name. The reference run the docs cite is written under a pinned name:
// `npm run bench -- --name reference-<date>`, and committed; ordinary runs never overwrite it.
// Every process it starts is tracked by pid, stopped by pid and checked gone; all traffic is on
// 127.0.0.1; the whole run is bounded by a deadline.
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { ratiosChart } = require('./lib/chart');
const { measureDelivery } = require('./lib/delivery');
const { measureDispatch } = require('./lib/dispatch');
const { measureProtocols } = require('./lib/protocols');
const { measureRescue } = require('./lib/rescue');
const { reapAll, trackedPids } = require('./lib/processes');
const { startReceiverProcess } = require('./lib/receiver');
const { buildResults, renderMarkdown, renderText } = require('./lib/report');
const { MODES } = require('./lib/settings');
const { measureShutdown } = require('./lib/shutdown');
const { measureStartup } = require('./lib/startup');
const { measureThroughput } = require('./lib/throughput');
const { measureReload } = require('./lib/reload');
const { measureMetrics } = require('./lib/metrics');
const { measurePipeline } = require('./lib/pipeline');

const SECTIONS = ['dispatch', 'startup', 'throughput', 'delivery', 'shutdown', 'reload', 'metrics', 'pipeline'];
/** The sections that can run their apps from --app-dir (another OpenTelemetry line; bench/matrix.js). */
const APP_DIR_SECTIONS = ['pipeline', 'throughput'];
/** Sections run only when named in --only (not part of the full run's report). */
const OPTIONAL = ['protocols', 'rescue'];

function parseArgs(argv) {
  const args = { mode: 'full', out: join(__dirname, 'results'), name: 'latest', only: SECTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick' || arg === '--smoke') args.mode = arg.slice(2);
    else if (arg === '--out') args.out = resolve(argv[++i] ?? '');
    else if (arg === '--only') args.only = String(argv[++i] ?? '').split(',');
    else if (arg === '--name') args.name = String(argv[++i] ?? '');
    else if (arg === '--app-dir') args.appDir = resolve(argv[++i] ?? '');
    else throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: node bench/run.js [--quick | --smoke] [--out DIR] [--name NAME] [--only ${SECTIONS.join(',')}]`);
  }
  const unknown = args.only.filter((s) => !SECTIONS.includes(s) && !OPTIONAL.includes(s));
  if (unknown.length) throw new Error(`--only: unknown section(s) ${unknown.join(', ')}; use ${[...SECTIONS, ...OPTIONAL].join(',')}`);
  const fixed = args.only.filter((s) => !APP_DIR_SECTIONS.includes(s));
  if (args.appDir && fixed.length) throw new Error(`--app-dir runs only the sections ${APP_DIR_SECTIONS.join(' and ')}; add --only ${APP_DIR_SECTIONS.join(',')} (not ${fixed.join(', ')})`);
  if (!/^[A-Za-z0-9._-]+$/.test(args.name)) throw new Error(`--name: ${JSON.stringify(args.name)} is not a file name; use letters, digits, '.', '_' or '-', e.g. --name reference-2026-11-30`);
  return args;
}

/** The environment of every app process: ours only (no inherited OTEL_* / FORKHOOKS_*), plus `extra`. */
function baseEnv(receiverUrl) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(OTEL_|FORKHOOKS_|BENCH_)/.test(key) && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return {
    ...env,
    FORKHOOKS_LOG: 'warn',
    FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '5000',
    ...(receiverUrl && { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl }),
    // Traces only, for NodeSDK (see bench/apps/nodesdk.js) and forkhooks alike; the metrics section turns metrics on.
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const settings = MODES[args.mode];
  const say = (line) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  const deadline = setTimeout(() => {
    process.stderr.write(`bench: the ${args.mode} run exceeded its ${settings.deadlineS} s deadline; stopping every process it started\n`);
    void reapAll().finally(() => process.exit(1));
  }, settings.deadlineS * 1000);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal}; stopping every process it started\n`);
      void reapAll().finally(() => process.exit(130));
    });
  }

  const machine = { cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.availableParallelism(), node: process.version, date: new Date().toISOString(), platform: `${os.platform()} ${os.release()}`, loadavg_at_start: os.loadavg().map((l) => +l.toFixed(2)) };
  say(`forkhooks bench, ${args.mode} mode: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);
  const receiver = await startReceiverProcess(baseEnv());
  say(`receiver (separate process, pid ${receiver.pid}): ${receiver.url}`);
  const ctx = {
    mode: args.mode,
    settings,
    receiver,
    runId: `${process.pid}-${started}`,
    say,
    appDir: args.appDir,
    env: (extra = {}) => ({ ...baseEnv(receiver.url), ...extra }),
  };
  const measures = { dispatch: measureDispatch, startup: measureStartup, throughput: measureThroughput, delivery: measureDelivery, shutdown: measureShutdown, reload: measureReload, metrics: measureMetrics, protocols: measureProtocols, pipeline: measurePipeline, rescue: measureRescue };
  const sections = {};
  let failure;
  try {
    for (const name of [...SECTIONS, ...OPTIONAL].filter((s) => args.only.includes(s))) {
      const t0 = Date.now();
      say(`${name}...`);
      sections[name] = await measures[name](ctx);
      say(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } catch (error) {
    failure = error;
  }
  await receiver.stop().catch((error) => (failure ??= error));
  const leftovers = await reapAll();
  clearTimeout(deadline);
  if (failure) throw failure;
  if (leftovers.length > 0) throw new Error(`processes left running at the end (now killed): ${leftovers.map((l) => `${l.pid} ${l.what}`).join(', ')}`);

  if (SECTIONS.some((s) => !args.only.includes(s))) {
    say(JSON.stringify(sections, null, 2));
    // A partial run is written only under a pinned name (--name), as it ran: the sections' raw results.
    if (args.name !== 'latest') {
      mkdirSync(args.out, { recursive: true });
      machine.loadavg_at_end = os.loadavg().map((l) => +l.toFixed(2));
      writeFileSync(join(args.out, `${args.name}.json`), `${JSON.stringify({ command: `node bench/run.js ${process.argv.slice(2).join(' ')}`, machine, mode: args.mode, settings, partial: args.only, ...sections }, null, 2)}\n`);
    }
    say(`partial run (--only): ${args.name === 'latest' ? 'nothing written' : `wrote ${join(args.out, `${args.name}.json`)}`}; ${trackedPids().length} processes started, all gone`);
    return;
  }
  // Anything else running on the machine shows here (interleaving keeps it from favouring one configuration).
  machine.loadavg_at_end = os.loadavg().map((l) => +l.toFixed(2));
  const results = buildResults({ machine, mode: args.mode, settings, ...sections });
  results.elapsed_s = Math.round((Date.now() - started) / 1000);
  results.reload = sections.reload; // issue 12's section (bench/lib/reload.js), reported as measured
  results.metrics = sections.metrics; // issue 13's section (bench/lib/metrics.js), reported as measured
  // Every process the run started (receiver, primaries, workers, dispatch), all checked gone above.
  results.pids_started = trackedPids();
  mkdirSync(args.out, { recursive: true });
  const command = `npm run bench --${args.mode === 'full' ? '' : ` --${args.mode}`}${args.name === 'latest' ? '' : ` --name ${args.name}`}`.replace(/ --$/, '');
  writeFileSync(join(args.out, `${args.name}.json`), `${JSON.stringify({ command, ...results }, null, 2)}\n`);
  writeFileSync(join(args.out, `${args.name}.svg`), ratiosChart(results));
  writeFileSync(join(args.out, `${args.name}.md`), renderMarkdown(results, `${args.name}.svg`, command));
  say('');
  say(renderText(results));
  say('');
  say(`wrote ${join(args.out, `${args.name}.json`)}, ${args.name}.md, ${args.name}.svg in ${results.elapsed_s} s; ${results.pids_started.length} processes started, all stopped and gone`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  void reapAll().finally(() => process.exit(1));
});
