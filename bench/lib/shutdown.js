// (4) Shutdown: SIGTERM to a worker's exit (timed in the primary), under a steady load so spans are
// queued, the receiver up: forkhooks (its atexit flush included) against the untraced service.
'use strict';
const { BenchCluster } = require('./cluster');
const load = require('./load');
const { sleep } = require('./processes');
const { median } = require('./stats');

const CONFIGS = ['untraced', 'forkhooks'];

async function measureShutdown(ctx) {
  const s = ctx.settings.shutdown;
  const clusters = {};
  const samples = { untraced: [], forkhooks: [] };
  try {
    for (const config of CONFIGS) {
      clusters[config] = await BenchCluster.start(config, { workers: 2, env: ctx.env({ OTEL_SERVICE_NAME: `bench-shutdown-${config}-${ctx.runId}` }) });
    }
    for (let i = 0; i < s.samples; i++) {
      for (const config of i % 2 ? [...CONFIGS].reverse() : CONFIGS) {
        const traffic = load.start(clusters[config].url, { connections: s.connections, overallRate: s.overallRate, maxS: s.loadS + 60 });
        await sleep(s.loadS * 1000);
        const { termToExitMs } = await clusters[config].restart(i % 2);
        await traffic.stop();
        samples[config].push(termToExitMs);
      }
    }
    const clusterStopMs = {};
    for (const config of CONFIGS) clusterStopMs[config] = await clusters[config].stop();
    const result = { forkhooks: median(samples.forkhooks), untraced: median(samples.untraced), cluster_stop_ms: clusterStopMs, samples };
    ctx.say(`  shutdown medians: forkhooks ${result.forkhooks?.toFixed(1)} ms, untraced ${result.untraced?.toFixed(1)} ms (SIGTERM to exit of one worker)`);
    return result;
  } finally {
    for (const cluster of Object.values(clusters)) await cluster.stop().catch(() => undefined);
  }
}

module.exports = { measureShutdown };
