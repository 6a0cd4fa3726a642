// (2) Delivery: 2 workers under a steady load, rolling graceful restarts (one worker at a time), then
// SIGTERM to the primary; spans received by the receiver / spans ended in the workers, for forkhooks
// and for the naive per-worker BatchSpanProcessor without an exit flush.
'use strict';
const { mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { BenchCluster } = require('./cluster');
const load = require('./load');
const { sleep } = require('./processes');

const CONFIGS = ['forkhooks', 'naive'];

async function deliveryRun(ctx, config, round) {
  const s = ctx.settings.delivery;
  const service = `bench-delivery-${config}-${round}-${ctx.runId}`;
  const statsDir = mkdtempSync(join(tmpdir(), 'forkhooks-bench-'));
  let cluster;
  let traffic;
  try {
    cluster = await BenchCluster.start(config, { workers: 2, env: ctx.env({ OTEL_SERVICE_NAME: service, BENCH_STATS_DIR: statsDir }) });
    const maxS = Math.ceil(s.steadyS * (s.restarts + 1) + 60);
    traffic = load.start(cluster.url, { connections: s.connections, overallRate: s.overallRate, maxS });
    await sleep(s.steadyS * 1000);
    const restarts = [];
    for (let i = 0; i < s.restarts; i++) {
      restarts.push(await cluster.restart(i % 2));
      await sleep(s.steadyS * 1000);
    }
    // SIGTERM under load; the load stops as soon as the primary has exited (after that every
    // request is refused, and would only inflate the error count).
    const stopping = cluster.stop();
    await cluster.proc.exited;
    const requests = await traffic.stop();
    traffic = undefined;
    const stopMs = await stopping;
    // forkhooks flushed before its workers exited; a naive export cut off at exit never arrives. Wait
    // until the count stops moving either way.
    const received = await ctx.receiver.settle(() => ctx.receiver.spansOf(service), 1_000, 10_000);
    const workers = readdirSync(statsDir).map((f) => JSON.parse(readFileSync(join(statsDir, f), 'utf8')));
    const ended = workers.reduce((sum, w) => sum + w.spansEnded, 0);
    return {
      config,
      ended,
      received,
      ratio: ended ? received / ended : null,
      worker_processes: workers.length,
      expected_worker_processes: 2 + s.restarts,
      requests_ok: requests.ok,
      request_errors: requests.errors,
      restarts_term_to_exit_ms: restarts.map((r) => r.termToExitMs),
      stop_ms: stopMs,
    };
  } finally {
    if (traffic) await traffic.stop().catch(() => undefined);
    if (cluster) await cluster.stop().catch(() => undefined);
    rmSync(statsDir, { recursive: true, force: true });
  }
}

async function measureDelivery(ctx) {
  const runs = [];
  for (let round = 0; round < ctx.settings.delivery.rounds; round++) {
    for (const config of round % 2 ? [...CONFIGS].reverse() : CONFIGS) {
      const run = await deliveryRun(ctx, config, round);
      runs.push(run);
      ctx.say(`  delivery ${config.padEnd(9)} received ${run.received} of ${run.ended} spans ended (${run.ratio?.toFixed(3)}), ${run.worker_processes}/${run.expected_worker_processes} worker processes reported`);
    }
  }
  // Pooled over rounds: total received / total ended. A worker that left no count would make
  // "ended" too small and the ratio look better than it is: then there is no ratio, and the run
  // says how many did not report.
  const unreported = (config) => runs.filter((r) => r.config === config).reduce((a, r) => a + Math.max(0, r.expected_worker_processes - r.worker_processes), 0);
  const pooled = (config) => {
    const mine = runs.filter((r) => r.config === config);
    const ended = mine.reduce((a, r) => a + r.ended, 0);
    if (unreported(config) > 0 || ended === 0) return null;
    return mine.reduce((a, r) => a + r.received, 0) / ended;
  };
  const missing = { forkhooks: unreported('forkhooks'), naive: unreported('naive') };
  for (const [config, count] of Object.entries(missing)) {
    if (count > 0) ctx.say(`  delivery ${config}: ${count} worker process(es) did not report their spans ended: no ratio for ${config}`);
  }
  return { forkhooks_ratio: pooled('forkhooks'), naive_ratio: pooled('naive'), unreported_workers: missing, runs };
}

module.exports = { measureDelivery };
