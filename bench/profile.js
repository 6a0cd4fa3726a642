// CPU profile of traced workers under load: where a request's time goes.
//
//   node bench/profile.js [forkhooks|nodesdk|untraced] [--duration S] [--keep DIR]
//   node bench/profile.js pipeline [--side forkhooks|forkhooks-sdk|stock|stock-json|spans-only] [--rounds N] [--keep DIR]
//
// Starts the receiver (separate process) and the 2-worker bench app with `--cpu-prof` (cluster
// workers inherit the primary's execArgv), warms up, loads GET /fibonacci?n=20 for S seconds,
// stops the cluster gracefully (each worker writes its profile at exit), and summarizes the
// workers' profiles: self time by package, time spent under each package (inclusive), and the
// hottest functions. Profiles are deleted unless --keep is given.
// `pipeline` profiles the span-pipeline microbenchmark's side process (bench/apps/pipeline.js, one
// side, no export-path rounds; the coordinator's profile is left out) instead: no HTTP server, so the profile is the span pipeline's alone, and
// its self time is also grouped as forkhooks / sdk-trace / otlp-transformer / exporter / node.
'use strict';
const { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { BenchCluster } = require('./lib/cluster');
const load = require('./lib/load');
const { cpuSeconds, reapAll } = require('./lib/processes');
const { startReceiverProcess } = require('./lib/receiver');

/** What a profile node's script belongs to, for grouping. */
function category(callFrame) {
  const { url, functionName } = callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native/builtin)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path);
  if (pkg) return pkg[1];
  if (path.startsWith('node:')) {
    const mod = /^node:(?:internal\/)?([^/]+)/.exec(path);
    return `node:${mod ? mod[1] : path}`;
  }
  const ours = /\/(packages|examples)\/([^/]+)\//.exec(path);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (path.includes('/bench/')) return 'bench';
  return path;
}

function summarize(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const inclusive = new Map();
  const fnSelf = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    const cat = category(node.callFrame);
    total += dt;
    self.set(cat, (self.get(cat) ?? 0) + dt);
    const fnKey = `${node.callFrame.functionName || '(anonymous)'} ${cat}:${node.callFrame.lineNumber + 1}`;
    fnSelf.set(fnKey, (fnSelf.get(fnKey) ?? 0) + dt);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const c = category(byId.get(cur).callFrame);
      if (!seen.has(c)) {
        seen.add(c);
        inclusive.set(c, (inclusive.get(c) ?? 0) + dt);
      }
    }
  });
  return { total, self, inclusive, fnSelf };
}

/** CPU seconds used so far by each group of pids. */
function cpuOf(groups) {
  return Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)]));
}

function merge(summaries) {
  const out = { total: 0, self: new Map(), inclusive: new Map(), fnSelf: new Map() };
  for (const s of summaries) {
    out.total += s.total;
    for (const key of ['self', 'inclusive', 'fnSelf']) for (const [k, v] of s[key]) out[key].set(k, (out[key].get(k) ?? 0) + v);
  }
  return out;
}

function top(map, total, n) {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
}

/** The coarse owner of a category: whose code the self time is in. */
function owner(cat) {
  if (cat.startsWith('packages/')) return 'forkhooks';
  if (cat === '@opentelemetry/sdk-trace' || cat === '@opentelemetry/sdk-trace-base') return 'sdk-trace';
  if (cat === '@opentelemetry/otlp-transformer' || cat === 'protobufjs' || cat.startsWith('@protobufjs/')) return 'otlp-transformer (+ protobufjs)';
  if (/exporter/.test(cat)) return 'exporter (otlp-exporter-base, exporter-trace-otlp-*)';
  if (cat.startsWith('@opentelemetry/')) return `other OTel (${cat.slice('@opentelemetry/'.length)})`;
  if (cat.startsWith('node:') || cat.startsWith('(')) return cat === '(garbage collector)' ? 'node: GC' : `node${cat.startsWith('(') ? ` ${cat}` : ''}`;
  return cat;
}

async function profilePipeline(argv, dir) {
  const { runApp } = require('./lib/pipeline');
  const value = (flag, fallback) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : fallback);
  const side = value('--side', 'forkhooks');
  const env = { ...process.env, FORKHOOKS_LOG: 'warn' };
  for (const key of Object.keys(env)) if (/^(OTEL_|BENCH_)/.test(key) || key === 'NODE_OPTIONS') delete env[key];
  const opts = { requests: 5_000, rounds: Number(value('--rounds', 40)), exportRounds: 0, sides: side, execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`] };
  const lines = await runApp(env, opts);
  const rounds = lines.filter((l) => l.kind === 'pipeline');
  const us = rounds.reduce((a, l) => a + l.cpuUs, 0) / rounds.reduce((a, l) => a + l.spans, 0);
  // The side ran in a child process of the app (bench/apps/pipeline.js): the coordinator's own profile is left out.
  const coordinator = lines.find((l) => l.kind === 'done')?.pid;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !f.includes(`.${coordinator}.`));
  const s = merge(files.map((f) => summarize(join(dir, f))));
  const busy = s.total - (s.self.get('(idle)') ?? 0);
  const owners = new Map();
  for (const [cat, t] of s.self) if (cat !== '(idle)') owners.set(owner(cat), (owners.get(owner(cat)) ?? 0) + t);
  return [
    `pipeline ${side}: ${rounds.length} rounds of ${opts.requests * 3} spans, ${us.toFixed(2)} CPU µs/span while profiled (the profiler adds to it); ${(s.total / 1e6).toFixed(1)} s sampled, ${((100 * busy) / s.total).toFixed(1)}% busy (start-up and warm-up included)`,
    'self time by owner (% of busy time):',
    top(owners, busy, 12),
    'self time by package (% of busy time):',
    top(new Map([...s.self].filter(([k]) => k !== '(idle)')), busy, 18),
    'hottest functions, self (% of busy time):',
    top(new Map([...s.fnSelf].filter(([k]) => !k.startsWith('(idle)'))), busy, 30),
  ].join('\n');
}

async function main() {
  const argv = process.argv.slice(2);
  const app = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--')) ?? 'forkhooks';
  if (app === 'pipeline') {
    const keep = argv.includes('--keep') ? resolve(argv[argv.indexOf('--keep') + 1]) : undefined;
    const dir = keep ?? mkdtempSync(join(tmpdir(), 'forkhooks-prof-'));
    mkdirSync(dir, { recursive: true });
    try {
      process.stdout.write(`${await profilePipeline(argv, dir)}\n${keep ? `profiles kept in ${dir}\n` : ''}`);
    } finally {
      await reapAll();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const durationS = Number(argv[argv.indexOf('--duration') + 1] || 10) || 10;
  const keep = argv.includes('--keep') ? resolve(argv[argv.indexOf('--keep') + 1]) : undefined;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'forkhooks-prof-'));
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, FORKHOOKS_LOG: 'warn', FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '5000', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
  delete env.NODE_OPTIONS;
  const receiver = await startReceiverProcess(env);
  try {
    const cluster = await BenchCluster.start(app, {
      workers: 2,
      env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: `profile-${app}` },
      execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    });
    const primaryPid = cluster.proc.pid;
    await load.run(cluster.url, { connections: 10, durationS: 2 });
    const who = { workers: cluster.workerPids(), receiver: [receiver.pid], 'load generator (this process)': [process.pid], primary: [primaryPid] };
    const before = cpuOf(who);
    const result = await load.run(cluster.url, { connections: 10, durationS });
    const after = cpuOf(who);
    await cluster.stop();
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !f.includes(`.${primaryPid}.`));
    const s = merge(files.map((f) => summarize(join(dir, f))));
    const busy = s.total - (s.self.get('(idle)') ?? 0);
    process.stdout.write(
      [
        `${app}: ${result.rps.toFixed(0)} req/s over ${durationS} s (2 workers, 10 connections); ${files.length} worker profiles, ${(s.total / 1e6).toFixed(1)} s sampled, ${((100 * busy) / s.total).toFixed(1)}% busy`,
        `CPU seconds during the ${durationS} s of load (2 cores: ${2 * durationS} s available): ${Object.keys(who).map((k) => `${k} ${(after[k] - before[k]).toFixed(1)}`).join(', ')}`,
        'self time by package (% of busy time):',
        top(new Map([...s.self].filter(([k]) => k !== '(idle)')), busy, 18),
        'time under each package, inclusive (% of busy time):',
        top(new Map([...s.inclusive].filter(([k]) => k !== '(idle)' && k !== '(root)')), busy, 18),
        'hottest functions, self (% of busy time):',
        top(new Map([...s.fnSelf].filter(([k]) => !k.startsWith('(idle)'))), busy, 25),
        keep ? `profiles kept in ${dir}` : '',
      ].join('\n') + '\n',
    );
  } finally {
    await receiver.stop().catch(() => undefined);
    await reapAll();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(async (error) => {
  process.stderr.write(`profile failed: ${error.stack}\n`);
  await reapAll().catch(() => undefined);
  process.exit(1);
});
