// (8) Metrics (issue 13): throughput of the 2-worker service traced by forkhooks with metrics on
// (OTLP every 5 s to the receiver) vs traces only, interleaved over rounds; and the cost of one
// scrape of the cluster's Prometheus /metrics (the primary asks both workers over IPC and merges),
// measured after a load so every worker has its counters and the http histograms filled.
'use strict';
const { get } = require('node:http');
const { BenchCluster } = require('./cluster');
const { freePort } = require('./free-port');
const load = require('./load');
const { median, ratio, rotate } = require('./stats');

// Kept here, not in settings.js, so this section stays one file.
const SETTINGS = {
  full: { rounds: 5, warmupS: 2, durationS: 6, connections: 10, scrapes: 50 },
  quick: { rounds: 3, warmupS: 1, durationS: 3, connections: 10, scrapes: 20 },
  smoke: { rounds: 1, warmupS: 0.5, durationS: 1, connections: 4, scrapes: 5 },
};

const CONFIGS = {
  'traces-only': { OTEL_METRICS_EXPORTER: 'none' },
  'traces+metrics': { OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_INTERVAL: '5000' },
};

/** GET url: resolves with the time to the whole body (ms) and its size; rejects after 10 s. */
function timedGet(url) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = get(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

async function throughput(ctx, s) {
  const clusters = {};
  const rps = Object.fromEntries(Object.keys(CONFIGS).map((c) => [c, []]));
  try {
    for (const [config, env] of Object.entries(CONFIGS)) {
      clusters[config] = await BenchCluster.start('forkhooks', { workers: 2, env: ctx.env({ ...env, OTEL_SERVICE_NAME: `bench-metrics-${config}-${ctx.runId}` }) });
    }
    for (let round = 0; round < s.rounds; round++) {
      for (const config of rotate(Object.keys(CONFIGS), round)) {
        const { url } = clusters[config];
        await load.run(url, { connections: s.connections, durationS: s.warmupS });
        const result = await load.run(url, { connections: s.connections, durationS: s.durationS });
        rps[config].push(result.rps);
        ctx.say(`  metrics round ${round + 1}/${s.rounds} ${config.padEnd(14)} ${result.rps.toFixed(0).padStart(6)} req/s  p99 ${result.p99_ms} ms`);
      }
    }
  } finally {
    for (const cluster of Object.values(clusters)) await cluster.stop().catch(() => undefined);
  }
  const med = (config) => median(rps[config]);
  return {
    rps: { traces_only: med('traces-only'), traces_and_metrics: med('traces+metrics') },
    ratio_metrics_vs_traces_only: ratio(med('traces+metrics'), med('traces-only')),
    rounds_ratio: rps['traces-only'].map((t, i) => ratio(rps['traces+metrics'][i], t)),
  };
}

async function scrapeCost(ctx, s) {
  const metricsPort = await freePort();
  const env = ctx.env({ OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort), OTEL_SERVICE_NAME: `bench-metrics-scrape-${ctx.runId}` });
  const cluster = await BenchCluster.start('forkhooks', { workers: 2, env });
  try {
    await load.run(cluster.url, { connections: s.connections, durationS: s.warmupS });
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    await timedGet(url); // the first scrape loads nothing more, but warms the IPC path
    const samples = [];
    for (let i = 0; i < s.scrapes; i++) samples.push(await timedGet(url));
    const ms = samples.map((x) => x.ms).sort((a, b) => a - b);
    return { scrape_ms_median: +median(ms).toFixed(2), scrape_ms_p90: +ms[Math.floor(ms.length * 0.9)].toFixed(2), scrapes: ms.length, body_bytes: samples.at(-1).bytes, workers: 2 };
  } finally {
    await cluster.stop().catch(() => undefined);
  }
}

async function measureMetrics(ctx) {
  const s = SETTINGS[ctx.mode];
  return { throughput: await throughput(ctx, s), scrape: await scrapeCost(ctx, s) };
}

module.exports = { measureMetrics };
