// The cost of the stuck-worker rescue on the hot path (issue 22): the forkhooks service with the
// rescue armed (the default: its watchdog thread listens on its rescue socket, every heartbeat carries
// the unsent span count) against the same service with FORKHOOKS_STUCK_RESCUE=0, both up for the whole
// section, rounds interleaved. Per round: worker CPU µs per request and req/s of each; the figure is the
// median of the per-round ratios (armed / off), so machine noise hits both sides of a ratio alike.
// Nothing runs per request by design; this measures that it stays so.
//
//   node bench/run.js --only rescue        (or: node bench/lib/rescue.js [--rounds N] [--seconds S])
'use strict';
const { BenchCluster } = require('./cluster');
const load = require('./load');
const { cpuSeconds, reapAll } = require('./processes');
const { median, rotate, round } = require('./stats');

const SIDES = { armed: {}, off: { FORKHOOKS_STUCK_RESCUE: '0' } };
const SETTINGS = {
  full: { rounds: 6, warmupS: 0.5, durationS: 3, connections: 10 },
  quick: { rounds: 3, warmupS: 0.5, durationS: 2, connections: 10 },
  smoke: { rounds: 1, warmupS: 0.2, durationS: 0.5, connections: 2 },
};

async function measureRescue(ctx) {
  const s = ctx.rescueSettings ?? SETTINGS[ctx.mode] ?? SETTINGS.quick;
  const clusters = {};
  const rounds = [];
  try {
    for (const [side, env] of Object.entries(SIDES)) {
      clusters[side] = await BenchCluster.start('forkhooks', { workers: 2, env: ctx.env({ OTEL_SERVICE_NAME: `bench-rescue-${side}-${ctx.runId}`, ...env }) });
    }
    // Both sides warmed first (JIT, connections): otherwise round 1's first side pays for it.
    for (const side of Object.keys(SIDES)) await load.run(clusters[side].url, { connections: s.connections, durationS: s.durationS });
    for (let r = 0; r < s.rounds; r++) {
      const row = {};
      for (const side of rotate(Object.keys(SIDES), r)) {
        const { url } = clusters[side];
        await load.run(url, { connections: s.connections, durationS: s.warmupS });
        const pids = clusters[side].workerPids();
        const cpu = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
        const before = cpu();
        const result = await load.run(url, { connections: s.connections, durationS: s.durationS });
        row[side] = { rps: result.rps, cpu_us_per_request: result.ok ? ((cpu() - before) * 1e6) / result.ok : NaN, errors: result.errors };
      }
      rounds.push(row);
      ctx.say(`  rescue round ${r + 1}/${s.rounds}: armed ${row.armed.rps.toFixed(0)} req/s ${row.armed.cpu_us_per_request.toFixed(0)} µs/req; off ${row.off.rps.toFixed(0)} req/s ${row.off.cpu_us_per_request.toFixed(0)} µs/req`);
    }
  } finally {
    for (const cluster of Object.values(clusters)) await cluster.stop();
  }
  const med = (f) => round(median(rounds.map(f)), 3);
  return {
    rounds: rounds.length,
    cpu_us_per_request: { armed: med((r) => r.armed.cpu_us_per_request), off: med((r) => r.off.cpu_us_per_request) },
    rps: { armed: med((r) => r.armed.rps), off: med((r) => r.off.rps) },
    // Paired per round: > 1 means the armed rescue costs CPU per request.
    cpu_ratio_armed_vs_off: med((r) => r.armed.cpu_us_per_request / r.off.cpu_us_per_request),
    rps_ratio_armed_vs_off: med((r) => r.armed.rps / r.off.rps),
    cpu_ratio_range: [round(Math.min(...rounds.map((r) => r.armed.cpu_us_per_request / r.off.cpu_us_per_request)), 3), round(Math.max(...rounds.map((r) => r.armed.cpu_us_per_request / r.off.cpu_us_per_request)), 3)],
    errors: rounds.reduce((sum, r) => sum + r.armed.errors + r.off.errors, 0),
  };
}

module.exports = { measureRescue };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const value = (flag, fallback) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : fallback);
  const { startReceiverProcess } = require('./receiver');
  const base = {};
  for (const [key, v] of Object.entries(process.env)) if (!/^(OTEL_|FORKHOOKS_|BENCH_)/.test(key) && key !== 'NODE_OPTIONS') base[key] = v;
  const env = (receiverUrl, extra) => ({ ...base, FORKHOOKS_LOG: 'warn', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, ...extra });
  (async () => {
    const receiver = await startReceiverProcess(env(undefined, {}));
    const rescueSettings = { ...SETTINGS.full, rounds: value('--rounds', SETTINGS.full.rounds), durationS: value('--seconds', SETTINGS.full.durationS) };
    const result = await measureRescue({ mode: 'full', rescueSettings, runId: `${process.pid}`, env: (extra) => env(receiver.url, extra), say: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  })()
    .catch((error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exitCode = 1;
    })
    .finally(() => reapAll());
}
