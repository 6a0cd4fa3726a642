// (3) Start-up: spawn-to-ready of one worker (from the fork, after prefork, to the worker's ready:
// postfork done and the server listening), timed in the runCluster primary. Each variant keeps one
// primary with one worker; the harness restarts the worker again and again, variants interleaved.
// The first spawn of each primary is a warm-up (cold caches) and is reported apart.
'use strict';
const { BenchCluster } = require('./cluster');
const { rssMiB } = require('./processes');
const { median, ratio, rotate } = require('./stats');

// NodeSDK twice: with the http instrumentation only (what forkhooks instruments) and with every
// auto-instrumentation (the OpenTelemetry getting-started setup).
const VARIANTS = { bare: 'untraced', forkhooks: 'forkhooks', nodesdk_http: 'nodesdk', nodesdk_auto: 'nodesdk-auto' };

async function measureStartup(ctx) {
  const clusters = {};
  const first = {};
  const samples = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]));
  try {
    for (const [variant, app] of Object.entries(VARIANTS)) {
      const cluster = await BenchCluster.start(app, { workers: 1, env: ctx.env({ OTEL_SERVICE_NAME: `bench-startup-${variant}-${ctx.runId}` }) });
      clusters[variant] = cluster;
      first[variant] = cluster.messages.find((m) => m.bench === 'ready')?.spawnMs ?? null;
    }
    for (let i = 0; i < ctx.settings.startup.spawns; i++) {
      for (const variant of rotate(Object.keys(VARIANTS), i)) samples[variant].push((await clusters[variant].restart(0)).spawnMs);
    }
    // RSS of a fresh, idle worker of each variant (it served nothing yet).
    const rssIdle = Object.fromEntries(Object.entries(clusters).map(([v, c]) => [v, rssMiB(c.workerPids()[0])]));
    const ms = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, median(samples[v])]));
    const added = { forkhooks: ms.forkhooks - ms.bare, nodesdk_http: ms.nodesdk_http - ms.bare, nodesdk_auto: ms.nodesdk_auto - ms.bare };
    // Per spawn index (the variants were spawned back to back): the spread of the fraction.
    const fractions = samples.bare.map((bare, i) => ratio(samples.forkhooks[i] - bare, samples.nodesdk_auto[i] - bare));
    ctx.say(`  start-up medians: bare ${ms.bare?.toFixed(1)} ms, forkhooks ${ms.forkhooks?.toFixed(1)} ms, nodesdk (http) ${ms.nodesdk_http?.toFixed(1)} ms, nodesdk+auto ${ms.nodesdk_auto?.toFixed(1)} ms`);
    return {
      ms,
      added_ms: added,
      fraction_of_nodesdk_auto: added.nodesdk_auto > 0 ? added.forkhooks / added.nodesdk_auto : null,
      fraction_of_nodesdk_http: added.nodesdk_http > 0 ? added.forkhooks / added.nodesdk_http : null,
      fractions_of_nodesdk_auto: fractions,
      first_spawn_ms: first,
      samples,
      rss_idle_mb: rssIdle,
    };
  } finally {
    for (const cluster of Object.values(clusters)) await cluster.stop().catch(() => undefined);
  }
}

module.exports = { measureStartup };
