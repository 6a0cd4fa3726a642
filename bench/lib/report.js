// The results document (latest.json), and the same numbers as a text table (stdout) and Markdown.
'use strict';
const { GOALS } = require('./settings');
const { ratio, round } = require('./stats');

const cpuTotal = (t, config) => t.cpu_us_per_request[config].workers + t.cpu_us_per_request[config].receiver;

const fmt = (value, digits = 1, unit = '') => (typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(digits)}${unit}` : 'n/a');
const verdict = (met) => (met === null ? '-' : met ? 'yes' : 'NO');
const check = (value, test) => (typeof value === 'number' && Number.isFinite(value) ? test(value) : null);

/** Builds latest.json from the sections' results. */
function buildResults({ machine, mode, settings, throughput: t, delivery: d, startup: s, shutdown: sh, dispatch: di }) {
  const rssAdded = t.rss_mb.forkhooks - t.rss_mb.untraced;
  const results = {
    machine,
    mode,
    settings,
    throughput: {
      untraced_rps: round(t.rps.untraced),
      forkhooks_rps: round(t.rps.forkhooks),
      nodesdk_rps: round(t.rps.nodesdk),
      ratio_vs_untraced: round(t.ratio_vs_untraced, 3),
      ratio_vs_nodesdk: round(t.ratio_vs_nodesdk, 3),
      nodesdk_vs_untraced: round(t.nodesdk_vs_untraced, 3),
      p50_ms: t.p50_ms,
      p99_ms: t.p99_ms,
      cpu_us_per_request: Object.fromEntries(Object.entries(t.cpu_us_per_request).map(([k, v]) => [k, { workers: round(v.workers), receiver: round(v.receiver), total: round(v.workers + v.receiver) }])),
      // Requests per CPU second of workers + receiver, forkhooks against the other: a cost ratio that
      // is less sensitive than req/s to other load on the machine.
      cpu_efficiency_vs_untraced: round(ratio(cpuTotal(t, 'untraced'), cpuTotal(t, 'forkhooks')), 3),
      cpu_efficiency_vs_nodesdk: round(ratio(cpuTotal(t, 'nodesdk'), cpuTotal(t, 'forkhooks')), 3),
      spans_per_request: Object.fromEntries(Object.entries(t.spans_per_request).map(([k, v]) => [k, round(v, 2)])),
      samples: t.samples,
    },
    delivery: { forkhooks_ratio: round(d.forkhooks_ratio, 4), naive_ratio: round(d.naive_ratio, 4), runs: d.runs },
    startup_ms: {
      bare: round(s.ms.bare),
      forkhooks: round(s.ms.forkhooks),
      nodesdk_auto: round(s.ms.nodesdk_auto),
      added_forkhooks: round(s.added_ms.forkhooks),
      added_nodesdk_auto: round(s.added_ms.nodesdk_auto),
      fraction_of_nodesdk_auto: round(s.fraction_of_nodesdk_auto, 3),
      first_spawn: Object.fromEntries(Object.entries(s.first_spawn_ms).map(([k, v]) => [k, round(v)])),
      samples: Object.fromEntries(Object.entries(s.samples).map(([k, v]) => [k, v.map((x) => round(x))])),
    },
    shutdown_ms: {
      forkhooks: round(sh.forkhooks),
      untraced: round(sh.untraced),
      cluster_stop: Object.fromEntries(Object.entries(sh.cluster_stop_ms).map(([k, v]) => [k, round(v)])),
      samples: Object.fromEntries(Object.entries(sh.samples).map(([k, v]) => [k, v.map((x) => round(x))])),
    },
    dispatch_ns_per_hook: di.registry_ns_per_hook,
    dispatch: di,
    rss_mb: {
      untraced: round(t.rss_mb.untraced),
      traced: round(t.rss_mb.forkhooks),
      nodesdk: round(t.rss_mb.nodesdk),
      added: round(rssAdded),
      heap_after_run: Object.fromEntries(Object.entries(t.heap_mb).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, round(vv)]))])),
      idle_after_start: Object.fromEntries(Object.entries(s.rss_idle_mb).map(([k, v]) => [k, round(v)])),
    },
  };
  results.goals = goals(results);
  return results;
}

function goals(r) {
  const t = r.throughput;
  return [
    { measure: 'throughput forkhooks / untraced', value: t.ratio_vs_untraced, shown: fmt(t.ratio_vs_untraced, 3), baseline: `${fmt(t.forkhooks_rps, 0)} vs ${fmt(t.untraced_rps, 0)} req/s`, goal: `>= ${GOALS.throughput_vs_untraced}`, met: check(t.ratio_vs_untraced, (v) => v >= GOALS.throughput_vs_untraced) },
    { measure: 'throughput forkhooks / NodeSDK', value: t.ratio_vs_nodesdk, shown: fmt(t.ratio_vs_nodesdk, 3), baseline: `NodeSDK ${fmt(t.nodesdk_rps, 0)} req/s (${fmt(t.nodesdk_vs_untraced, 3)} of untraced)`, goal: `>= ${GOALS.throughput_vs_nodesdk.toFixed(2)}`, met: check(t.ratio_vs_nodesdk, (v) => v >= GOALS.throughput_vs_nodesdk) },
    { measure: 'CPU per request, NodeSDK / forkhooks (info)', value: t.cpu_efficiency_vs_nodesdk, shown: fmt(t.cpu_efficiency_vs_nodesdk, 3), baseline: `${fmt(t.cpu_us_per_request.forkhooks.total, 0)} vs NodeSDK ${fmt(t.cpu_us_per_request.nodesdk.total, 0)} us/req (untraced ${fmt(t.cpu_us_per_request.untraced.total, 0)})`, goal: '(no goal)', met: null },
    { measure: 'delivery (received / ended)', value: r.delivery.forkhooks_ratio, shown: fmt(r.delivery.forkhooks_ratio, 3), baseline: `naive BSP, no exit flush: ${fmt(r.delivery.naive_ratio, 3)}`, goal: '1.000', met: check(r.delivery.forkhooks_ratio, (v) => v >= GOALS.delivery_forkhooks) },
    { measure: 'start-up added over bare', value: r.startup_ms.added_forkhooks, shown: `+${fmt(r.startup_ms.added_forkhooks, 1, ' ms')}`, baseline: `NodeSDK+auto +${fmt(r.startup_ms.added_nodesdk_auto, 1, ' ms')} (ours: ${fmt(r.startup_ms.fraction_of_nodesdk_auto, 3)}x); bare ${fmt(r.startup_ms.bare, 1, ' ms')}`, goal: `<= ${GOALS.startup_fraction_of_nodesdk_auto}x NodeSDK+auto`, met: check(r.startup_ms.fraction_of_nodesdk_auto, (v) => v <= GOALS.startup_fraction_of_nodesdk_auto) },
    { measure: 'memory added per worker (RSS)', value: r.rss_mb.added, shown: `+${fmt(r.rss_mb.added, 1, ' MiB')}`, baseline: `traced ${fmt(r.rss_mb.traced, 1)} vs untraced ${fmt(r.rss_mb.untraced, 1)} MiB (NodeSDK ${fmt(r.rss_mb.nodesdk, 1)})`, goal: `<= ${GOALS.rss_added_mb} MiB`, met: check(r.rss_mb.added, (v) => v <= GOALS.rss_added_mb) },
    { measure: 'shutdown with flush (SIGTERM to exit)', value: r.shutdown_ms.forkhooks, shown: fmt(r.shutdown_ms.forkhooks, 1, ' ms'), baseline: `untraced ${fmt(r.shutdown_ms.untraced, 1, ' ms')}`, goal: `<= ${GOALS.shutdown_ms} ms`, met: check(r.shutdown_ms.forkhooks, (v) => v <= GOALS.shutdown_ms) },
    { measure: 'dispatch, 100 no-op hooks', value: r.dispatch_ns_per_hook, shown: `${fmt(r.dispatch_ns_per_hook, 0)} ns/hook`, baseline: `bare await loop ${fmt(r.dispatch.baseline_ns_per_hook, 0)} ns/hook (${fmt(r.dispatch.ratio, 2)}x)`, goal: `<= ${GOALS.dispatch_ns_per_hook} ns/hook`, met: check(r.dispatch_ns_per_hook, (v) => v <= GOALS.dispatch_ns_per_hook) },
  ].map((g) => ({ ...g, met_text: verdict(g.met) }));
}

function header(r) {
  const m = r.machine;
  return `forkhooks bench (${r.mode}): ${m.cpu}, ${m.cores} cores, node ${m.node}, ${m.date}`;
}

function throughputRows(r) {
  const t = r.throughput;
  return ['untraced', 'forkhooks', 'nodesdk'].map((c) => [
    c === 'nodesdk' ? 'NodeSDK' : c,
    fmt(t[`${c}_rps`], 0),
    fmt(t.p50_ms[c], 0),
    fmt(t.p99_ms[c], 0),
    c === 'untraced' ? '1.000' : fmt(t[`${c}_rps`] / t.untraced_rps, 3),
    fmt(t.cpu_us_per_request[c].total, 0),
    c === 'untraced' ? '-' : fmt(t.spans_per_request[c], 2),
    fmt(r.rss_mb[c === 'forkhooks' ? 'traced' : c], 1),
  ]);
}
const THROUGHPUT_HEAD = ['config', 'req/s', 'p50 ms', 'p99 ms', 'vs untraced', 'CPU us/req (workers+receiver)', 'spans/req recv', 'RSS MiB/worker'];
const GOAL_HEAD = ['measure', 'forkhooks', 'baseline', 'goal', 'met'];
const goalRows = (r) => r.goals.map((g) => [g.measure, g.shown, g.baseline, g.goal, g.met_text]);

function textTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function mdTable(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function settingsLine(r) {
  const s = r.settings;
  return (
    `throughput: 2 workers, GET /fibonacci?n=20, ${s.throughput.connections} connections, ${s.throughput.rounds} interleaved rounds of ${s.throughput.warmupS} s warm-up + ${s.throughput.durationS} s, medians; ` +
    `delivery: ${s.delivery.overallRate} req/s, ${s.delivery.restarts} rolling restarts, ${s.delivery.rounds} round(s); ` +
    `start-up: median of ${s.startup.spawns} spawns; shutdown: median of ${s.shutdown.samples}`
  );
}

function renderText(r) {
  return [header(r), settingsLine(r), '', textTable(THROUGHPUT_HEAD, throughputRows(r)), '', textTable(GOAL_HEAD, goalRows(r))].join('\n');
}

function renderMarkdown(r, chartFile) {
  return [
    `# Benchmark results (${r.mode})`,
    '',
    `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.date}. Produced by \`npm run bench${r.mode === 'full' ? '' : ` -- --${r.mode}`}\`.`,
    '',
    settingsLine(r),
    '',
    mdTable(THROUGHPUT_HEAD, throughputRows(r)),
    '',
    mdTable(GOAL_HEAD, goalRows(r)),
    '',
    `![throughput and delivery ratios](${chartFile})`,
    '',
  ].join('\n');
}

module.exports = { buildResults, renderText, renderMarkdown };
