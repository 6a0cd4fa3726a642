// (1) Throughput of the 2-worker service in three configurations, interleaved over rounds, and
// (6) the RSS of each worker after the run.
'use strict';
const { APP_DIR_ENV, appsIn } = require('./app-dir');
const { BenchCluster } = require('./cluster');
const load = require('./load');
const { cpuSeconds, rssMiB } = require('./processes');
const { NOISY_SPREAD } = require('./settings');
const { median, mean, range, ratio, rotate } = require('./stats');

const cpuTotal = (r) => (r.worker_cpu_us_per_request ?? NaN) + (r.receiver_cpu_us_per_request ?? NaN);

const CONFIGS = ['untraced', 'forkhooks', 'nodesdk'];

async function measureThroughput(ctx) {
  const s = ctx.settings.throughput;
  const clusters = {};
  const samples = Object.fromEntries(CONFIGS.map((c) => [c, []]));
  const okTotal = Object.fromEntries(CONFIGS.map((c) => [c, 0]));
  try {
    // All three stay up for the whole section (an idle cluster costs no CPU), so rounds interleave cheaply.
    // --app-dir (bench/matrix.js, another OpenTelemetry line): the apps run from that folder.
    const appsDir = ctx.appDir ? appsIn(ctx.appDir) : undefined;
    for (const config of CONFIGS) {
      clusters[config] = await BenchCluster.start(config, { workers: 2, appsDir, env: ctx.env({ OTEL_SERVICE_NAME: serviceOf(ctx, config), ...(appsDir && APP_DIR_ENV) }) });
    }
    for (let round = 0; round < s.rounds; round++) {
      for (const config of rotate(CONFIGS, round)) {
        const { url } = clusters[config];
        const warm = await load.run(url, { connections: s.connections, durationS: s.warmupS });
        // CPU used per request by the workers and by the receiver: less sensitive than req/s to
        // whatever else runs on the machine.
        const pids = clusters[config].workerPids();
        const cpu = () => ({ workers: pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0), receiver: cpuSeconds(ctx.receiver.pid) });
        const before = cpu();
        const result = await load.run(url, { connections: s.connections, durationS: s.durationS });
        const after = cpu();
        result.worker_cpu_us_per_request = result.ok ? ((after.workers - before.workers) * 1e6) / result.ok : null;
        result.receiver_cpu_us_per_request = result.ok ? ((after.receiver - before.receiver) * 1e6) / result.ok : null;
        okTotal[config] += warm.ok + result.ok;
        samples[config].push(result);
        ctx.say(`  throughput round ${round + 1}/${s.rounds} ${config.padEnd(9)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50_ms} ms  p99 ${result.p99_ms} ms  CPU/req: workers ${result.worker_cpu_us_per_request?.toFixed(0)} us, receiver ${result.receiver_cpu_us_per_request?.toFixed(0)} us${result.errors ? `  ${result.errors} errors` : ''}`);
      }
    }
    // (6) After the run, the workers are warm and have served the same requests.
    const rss = {};
    const heap = {};
    const MiB = 2 ** 20;
    for (const config of CONFIGS) {
      const reports = await clusters[config].memory();
      rss[config] = mean(clusters[config].workerPids().map(rssMiB));
      heap[config] = {
        heap_total: mean(reports.map((r) => r.heapTotal / MiB)),
        heap_used: mean(reports.map((r) => r.heapUsed / MiB)),
        new_space: mean(reports.map((r) => r.spaces.new_space / MiB)),
        old_space: mean(reports.map((r) => r.spaces.old_space / MiB)),
        code_space: mean(reports.map((r) => (r.spaces.code_space + (r.spaces.code_large_object_space ?? 0)) / MiB)),
        external: mean(reports.map((r) => r.external / MiB)),
      };
    }
    const stopMs = {};
    for (const config of CONFIGS) stopMs[config] = await clusters[config].stop();
    const spansPerRequest = {};
    for (const config of CONFIGS.filter((c) => c !== 'untraced')) {
      spansPerRequest[config] = okTotal[config] ? (await ctx.receiver.settle(() => ctx.receiver.spansOf(serviceOf(ctx, config)), 500, 3_000)) / okTotal[config] : null;
    }
    const med = (config, key) => median(samples[config].map((r) => r[key]));
    // Each round measured every configuration back to back: the ratio of a round is a paired
    // comparison, and the spread of these ratios over rounds is the noise the verdicts must clear.
    const perRound = (f) => samples.untraced.map((_, i) => f(samples.untraced[i], samples.forkhooks[i], samples.nodesdk[i]));
    return {
      rps: Object.fromEntries(CONFIGS.map((c) => [c, med(c, 'rps')])),
      p50_ms: Object.fromEntries(CONFIGS.map((c) => [c, med(c, 'p50_ms')])),
      p99_ms: Object.fromEntries(CONFIGS.map((c) => [c, med(c, 'p99_ms')])),
      cpu_us_per_request: Object.fromEntries(
        CONFIGS.map((c) => [c, { workers: med(c, 'worker_cpu_us_per_request'), receiver: med(c, 'receiver_cpu_us_per_request') }]),
      ),
      ratio_vs_untraced: ratio(med('forkhooks', 'rps'), med('untraced', 'rps')),
      ratio_vs_nodesdk: ratio(med('forkhooks', 'rps'), med('nodesdk', 'rps')),
      nodesdk_vs_untraced: ratio(med('nodesdk', 'rps'), med('untraced', 'rps')),
      overhead: overhead(samples),
      rounds: {
        ratio_vs_untraced: perRound((u, f) => ratio(f.rps, u.rps)),
        ratio_vs_nodesdk: perRound((u, f, n) => ratio(f.rps, n.rps)),
        cpu_efficiency_vs_nodesdk: perRound((u, f, n) => ratio(cpuTotal(n), cpuTotal(f))),
      },
      spans_per_request: spansPerRequest,
      rss_mb: rss,
      heap_mb: heap,
      samples,
      stop_ms: stopMs,
    };
  } finally {
    for (const cluster of Object.values(clusters)) await cluster.stop().catch(() => undefined);
  }
}

/**
 * The headline of issue 14: worker CPU µs per request traced minus untraced, per round (the
 * configurations of a round ran back to back), for forkhooks and NodeSDK, and forkhooks' overhead
 * over NodeSDK's. Medians of the rounds with their min–max; `noisy` when the untraced rounds alone
 * spread more than NOISY_SPREAD of their median: then the machine moved more than the overheads do.
 */
function overhead(samples) {
  const cpu = (config) => samples[config].map((r) => r.worker_cpu_us_per_request);
  const untraced = cpu('untraced');
  const minus = (config) => cpu(config).map((v, i) => (Number.isFinite(v) && Number.isFinite(untraced[i]) ? v - untraced[i] : null));
  const forkhooks = minus('forkhooks');
  const nodesdk = minus('nodesdk');
  const ratios = forkhooks.map((f, i) => ratio(f, nodesdk[i]));
  const rr = range(ratios);
  const mr = median(ratios);
  const u = median(untraced);
  const r = range(untraced);
  const spread = r && u ? (r[1] - r[0]) / u : null;
  return {
    us_per_request: { forkhooks: median(forkhooks), nodesdk: median(nodesdk) },
    // The ratio of the medians (the headline) and the ratio of each round (its spread).
    ratio_vs_nodesdk: ratio(median(forkhooks), median(nodesdk)),
    rounds: { forkhooks, nodesdk, ratio_vs_nodesdk: ratios },
    untraced_us_per_request: u,
    untraced_spread: spread,
    // The per-round ratios' min–max over their median: what one run can resolve, at best.
    ratio_spread: rr && mr ? (rr[1] - rr[0]) / mr : null,
    noisy: spread === null ? null : spread > NOISY_SPREAD,
  };
}

function serviceOf(ctx, config) {
  return `bench-throughput-${config}-${ctx.runId}`;
}

module.exports = { measureThroughput };
