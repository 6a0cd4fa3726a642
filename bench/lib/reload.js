// (7) Reload: a full rolling reload (runCluster's reloadSignal, SIGHUP to the primary) of 2 workers
// under a steady load over 50 kept-alive connections (autocannon keeps its connections alive, as
// browsers, proxies and load balancers do): the time from the signal until both old workers have
// exited (each replaced first, then drained and flushed), the failed requests (want 0: issue 22), and
// delivery: spans received / spans ended by every worker, old and new (want 1.000).
'use strict';
const { mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { BenchCluster } = require('./cluster');
const load = require('./load');
const { sleep } = require('./processes');
const { median } = require('./stats');

// Kept here, not in settings.js, so this section stays one file.
const SETTINGS = {
  full: { rounds: 3, steadyS: 2, overallRate: 200, connections: 50 },
  quick: { rounds: 2, steadyS: 1, overallRate: 200, connections: 50 },
  smoke: { rounds: 1, steadyS: 0.5, overallRate: 100, connections: 10 },
};

/** Polls the primary's reports until both generation-0 workers have exited and generation 1 is ready in both slots. */
async function reloaded(cluster, oldPids, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = cluster.messages.filter((m) => m.bench === 'exit' && oldPids.includes(m.pid));
    const fresh = cluster.messages.filter((m) => m.bench === 'ready' && m.generation === 1);
    if (exited.length === oldPids.length && fresh.length === oldPids.length) return { exited, fresh };
    if (Date.now() > deadline) throw new Error(`reload: not done within ${timeoutMs} ms\n${cluster.proc.stderr()}`);
    await sleep(20);
  }
}

async function reloadRun(ctx, s, round) {
  const service = `bench-reload-${round}-${ctx.runId}`;
  const statsDir = mkdtempSync(join(tmpdir(), 'forkhooks-bench-'));
  let cluster;
  let traffic;
  try {
    cluster = await BenchCluster.start('forkhooks', { workers: 2, env: ctx.env({ OTEL_SERVICE_NAME: service, BENCH_STATS_DIR: statsDir, BENCH_RELOAD_SIGNAL: 'SIGHUP' }) });
    traffic = load.start(cluster.url, { connections: s.connections, overallRate: s.overallRate, maxS: Math.ceil(s.steadyS * 2 + 90) });
    await sleep(s.steadyS * 1000);
    const oldPids = cluster.workerPids();
    const t0 = performance.now();
    process.kill(cluster.proc.pid, 'SIGHUP');
    const { exited } = await reloaded(cluster, oldPids);
    const reloadMs = performance.now() - t0;
    await sleep(s.steadyS * 1000);
    const requests = await traffic.stop();
    traffic = undefined;
    await cluster.stop();
    const received = await ctx.receiver.settle(() => ctx.receiver.spansOf(service), 1_000, 10_000);
    const workers = readdirSync(statsDir).map((f) => JSON.parse(readFileSync(join(statsDir, f), 'utf8')));
    const ended = workers.reduce((sum, w) => sum + w.spansEnded, 0);
    return {
      reload_ms: Math.round(reloadMs),
      old_exit_codes: exited.map((m) => m.code),
      requests_ok: requests.ok,
      failed_requests: requests.errors + requests.non2xx + requests.timeouts,
      ended,
      received,
      ratio: ended ? received / ended : null,
      worker_processes: workers.length,
    };
  } finally {
    if (traffic) await traffic.stop().catch(() => undefined);
    if (cluster) await cluster.stop().catch(() => undefined);
    rmSync(statsDir, { recursive: true, force: true });
  }
}

async function measureReload(ctx) {
  const s = SETTINGS[ctx.mode];
  const runs = [];
  for (let round = 0; round < s.rounds; round++) runs.push(await reloadRun(ctx, s, round));
  const ended = runs.reduce((a, r) => a + r.ended, 0);
  const received = runs.reduce((a, r) => a + r.received, 0);
  const result = {
    keepalive_connections: s.connections,
    reload_ms_median: median(runs.map((r) => r.reload_ms)),
    failed_requests: runs.reduce((a, r) => a + r.failed_requests, 0),
    delivery_ratio: ended ? received / ended : null,
    runs,
  };
  ctx.say(`  reload of 2 workers under load: median ${result.reload_ms_median} ms, ${result.failed_requests} failed requests over ${s.connections} kept-alive connections, delivery ${result.delivery_ratio?.toFixed(4)}`);
  return result;
}

module.exports = { measureReload };
