// The results document (NAME.json), and the same numbers as a text table (stdout) and Markdown.
'use strict';
const { GOALS, NOISY_SPREAD, SECTION2_GOALS } = require('./settings');
const { range, ratio, round } = require('./stats');

const cpuTotal = (t, config) => t.cpu_us_per_request[config].workers + t.cpu_us_per_request[config].receiver;

const fmt = (value, digits = 1, unit = '') => (typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(digits)}${unit}` : 'n/a');
const finite = (value) => typeof value === 'number' && Number.isFinite(value);
const roundRange = (r, digits) => (r ? r.map((v) => round(v, digits)) : null);
/**
 * A goal is met only if every measurement of it clears the goal (the whole spread), and missed only
 * if none does; a spread that straddles the goal is noise, and says so. `values`: the per-round or
 * per-sample measurements (one value when the measure has no repeats).
 */
function judge(values, test) {
  const xs = values.filter(finite);
  if (xs.length === 0) return { met: null, met_text: 'no data' };
  const passed = xs.filter(test).length;
  if (passed === xs.length) return { met: true, met_text: xs.length > 1 ? `yes (all ${xs.length})` : 'yes (1 measurement)' };
  if (passed === 0) return { met: false, met_text: xs.length > 1 ? `NO (all ${xs.length})` : 'NO (1 measurement)' };
  return { met: null, met_text: `inside the noise (${passed} of ${xs.length} clear it)` };
}
const spread = (values, digits, what, unit = '') => {
  const r = range(values);
  return r ? `${r[0].toFixed(digits)}–${r[1].toFixed(digits)}${unit} over ${values.filter(finite).length} ${what}` : 'n/a';
};

/** Builds the results document (NAME.json) from the sections' results. */
function buildResults({ machine, mode, settings, throughput: t, delivery: d, startup: s, shutdown: sh, dispatch: di, pipeline: p }) {
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
      // Per round (each round measures every configuration back to back) and their [min, max].
      rounds: Object.fromEntries(Object.entries(t.rounds).map(([k, v]) => [k, v.map((x) => round(x, 3))])),
      ranges: Object.fromEntries(Object.entries(t.rounds).map(([k, v]) => [k, roundRange(range(v), 3)])),
      samples: t.samples,
    },
    delivery: {
      forkhooks_ratio: round(d.forkhooks_ratio, 4),
      naive_ratio: round(d.naive_ratio, 4),
      forkhooks_received: d.runs.filter((r) => r.config === 'forkhooks').reduce((a, r) => a + r.received, 0),
      forkhooks_ended: d.runs.filter((r) => r.config === 'forkhooks').reduce((a, r) => a + r.ended, 0),
      unreported_workers: d.unreported_workers,
      runs: d.runs,
    },
    startup_ms: {
      bare: round(s.ms.bare),
      forkhooks: round(s.ms.forkhooks),
      nodesdk_http: round(s.ms.nodesdk_http),
      nodesdk_auto: round(s.ms.nodesdk_auto),
      added_forkhooks: round(s.added_ms.forkhooks),
      added_nodesdk_http: round(s.added_ms.nodesdk_http),
      added_nodesdk_auto: round(s.added_ms.nodesdk_auto),
      fraction_of_nodesdk_auto: round(s.fraction_of_nodesdk_auto, 3),
      fraction_of_nodesdk_http: round(s.fraction_of_nodesdk_http, 3),
      fractions_of_nodesdk_auto: s.fractions_of_nodesdk_auto.map((x) => round(x, 3)),
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
      added_nodesdk: round(t.rss_mb.nodesdk - t.rss_mb.untraced),
      // forkhooks' added ÷ NodeSDK's added (issue 14: at most 0.5).
      added_vs_nodesdk: round(ratio(rssAdded, t.rss_mb.nodesdk - t.rss_mb.untraced), 3),
      heap_after_run: Object.fromEntries(Object.entries(t.heap_mb).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, round(vv)]))])),
      idle_after_start: Object.fromEntries(Object.entries(s.rss_idle_mb).map(([k, v]) => [k, round(v)])),
    },
  };
  Object.assign(results, overheadFields(t.overhead, machine.node), pipelineFields(p));
  results.goals = goals(results);
  results.section2_goals = SECTION2_GOALS.map((measure) => results.goals.find((g) => g.measure === measure)).filter(Boolean).map(({ measure, shown, goal, met, met_text }) => ({ measure, shown, goal, met, met_text }));
  return results;
}

/** Issue 14's headline: worker CPU µs per request traced minus untraced, and forkhooks' over NodeSDK's. */
function overheadFields(o, node) {
  return {
    overhead_us_per_request: { forkhooks: round(o.us_per_request.forkhooks), nodesdk: round(o.us_per_request.nodesdk), node },
    overhead_ratio_vs_nodesdk: round(o.ratio_vs_nodesdk, 3),
    overhead: {
      node,
      rounds: Object.fromEntries(Object.entries(o.rounds).map(([k, v]) => [k, v.map((x) => round(x, k === 'ratio_vs_nodesdk' ? 3 : 1))])),
      ranges: Object.fromEntries(Object.entries(o.rounds).map(([k, v]) => [k, roundRange(range(v), k === 'ratio_vs_nodesdk' ? 3 : 1)])),
      untraced_us_per_request: round(o.untraced_us_per_request),
      untraced_spread: round(o.untraced_spread, 3),
      ratio_spread: round(o.ratio_spread, 3),
      noisy: o.noisy,
      noise: noiseLine(o),
    },
  };
}

function noiseLine(o) {
  if (o.noisy === null) return 'noise: unknown (no untraced rounds)';
  const pct = `${(100 * o.untraced_spread).toFixed(0)} %`;
  const ratios = `; the overhead ratio's rounds spread ${(100 * (o.ratio_spread ?? NaN)).toFixed(0)} % of its median`;
  return o.noisy
    ? `NOISY RUN: the untraced rounds' worker CPU per request spread ${pct} of their median (over ${100 * NOISY_SPREAD} %): the machine moved more than a 10 % difference in overhead${ratios}`
    : `quiet run: the untraced rounds' worker CPU per request spread ${pct} of their median (at most ${100 * NOISY_SPREAD} %)${ratios}`;
}

/** The pipeline microbenchmark (bench/lib/pipeline.js), with its Node version. */
function pipelineFields(p) {
  if (!p) return {};
  // ratio_vs_stock is stock ÷ forkhooks of the reported (rounded) medians, so the three agree.
  return { pipeline: { ...p, forkhooks_us_per_span: p.forkhooks_us_per_span, stock_us_per_span: p.stock_us_per_span, ratio_vs_stock: round(ratio(p.stock_us_per_span, p.forkhooks_us_per_span), 3), node: p.node } };
}

function goals(r) {
  const t = r.throughput;
  const d = r.delivery;
  const st = r.startup_ms;
  const rows = [
    { measure: 'throughput forkhooks / untraced', value: t.ratio_vs_untraced, values: t.rounds.ratio_vs_untraced, shown: fmt(t.ratio_vs_untraced, 2), spread: spread(t.rounds.ratio_vs_untraced, 2, 'rounds'), baseline: `${fmt(t.forkhooks_rps, 0)} vs ${fmt(t.untraced_rps, 0)} req/s (medians)`, goal: `>= ${GOALS.throughput_vs_untraced}`, test: (v) => v >= GOALS.throughput_vs_untraced },
    { measure: 'throughput forkhooks / NodeSDK', value: t.ratio_vs_nodesdk, values: t.rounds.ratio_vs_nodesdk, shown: fmt(t.ratio_vs_nodesdk, 2), spread: spread(t.rounds.ratio_vs_nodesdk, 2, 'rounds'), baseline: `NodeSDK ${fmt(t.nodesdk_rps, 0)} req/s (${fmt(t.nodesdk_vs_untraced, 2)} of untraced)`, goal: `>= ${GOALS.throughput_vs_nodesdk.toFixed(2)}`, test: (v) => v >= GOALS.throughput_vs_nodesdk },
    { measure: 'CPU per request, NodeSDK / forkhooks (info)', value: t.cpu_efficiency_vs_nodesdk, values: [], shown: fmt(t.cpu_efficiency_vs_nodesdk, 2), spread: spread(t.rounds.cpu_efficiency_vs_nodesdk, 2, 'rounds'), baseline: `${fmt(t.cpu_us_per_request.forkhooks.total, 0)} vs NodeSDK ${fmt(t.cpu_us_per_request.nodesdk.total, 0)} us/req (untraced ${fmt(t.cpu_us_per_request.untraced.total, 0)})`, goal: '(no goal)', info: true },
    { measure: 'tracing overhead forkhooks / NodeSDK (worker CPU/req)', value: r.overhead_ratio_vs_nodesdk, values: r.overhead.rounds.ratio_vs_nodesdk, shown: fmt(r.overhead_ratio_vs_nodesdk, 2), spread: spread(r.overhead.rounds.ratio_vs_nodesdk, 2, 'rounds'), baseline: `+${fmt(r.overhead_us_per_request.forkhooks, 0)} vs NodeSDK +${fmt(r.overhead_us_per_request.nodesdk, 0)} us/req over untraced ${fmt(r.overhead.untraced_us_per_request, 0)}${r.overhead.noisy ? ' (NOISY RUN)' : ''}`, goal: `<= ${GOALS.overhead_vs_nodesdk}`, test: (v) => v <= GOALS.overhead_vs_nodesdk },
    ...(r.pipeline ? [{ measure: 'span pipeline, stock / forkhooks (CPU/span)', value: r.pipeline.ratio_vs_stock, values: r.pipeline.ratio_rounds, shown: fmt(r.pipeline.ratio_vs_stock, 2), spread: spread(r.pipeline.ratio_rounds, 2, 'rounds'), baseline: `${fmt(r.pipeline.forkhooks_us_per_span, 2)} vs stock ${fmt(r.pipeline.stock_us_per_span, 2)} us/span${r.pipeline.noisy ? ' (NOISY)' : ''}`, goal: `>= ${GOALS.pipeline_vs_stock}`, test: (v) => v >= GOALS.pipeline_vs_stock }] : []),
    {
      measure: 'delivery (received / ended)',
      value: d.forkhooks_ratio,
      // Each run on its own must deliver everything (and a run whose workers did not all report has no ratio).
      values: d.runs.filter((run) => run.config === 'forkhooks').map((run) => (run.worker_processes === run.expected_worker_processes ? run.ratio : null)),
      shown: fmt(d.forkhooks_ratio, 3),
      spread: `${d.forkhooks_received} of ${d.forkhooks_ended} spans${d.unreported_workers.forkhooks ? `; ${d.unreported_workers.forkhooks} workers did not report` : ''}`,
      baseline: `naive BSP, no exit flush: ${fmt(d.naive_ratio, 3)}`,
      goal: '1.000',
      test: (v) => v >= GOALS.delivery_forkhooks,
    },
    { measure: 'start-up added over bare', value: st.added_forkhooks, values: st.fractions_of_nodesdk_auto, shown: `+${fmt(st.added_forkhooks, 0, ' ms')} (${fmt(st.fraction_of_nodesdk_auto, 2)}x NodeSDK+auto)`, spread: `${spread(st.fractions_of_nodesdk_auto, 2, 'spawns')} (x NodeSDK+auto)`, baseline: `NodeSDK+auto +${fmt(st.added_nodesdk_auto, 0, ' ms')}; NodeSDK http only +${fmt(st.added_nodesdk_http, 0, ' ms')} (ours ${fmt(st.fraction_of_nodesdk_http, 2)}x); bare ${fmt(st.bare, 0, ' ms')}`, goal: `<= ${GOALS.startup_fraction_of_nodesdk_auto}x NodeSDK+auto`, test: (v) => v <= GOALS.startup_fraction_of_nodesdk_auto },
    { measure: 'memory added per worker (RSS)', value: r.rss_mb.added, values: [r.rss_mb.added], shown: `+${fmt(r.rss_mb.added, 1, ' MiB')}`, spread: '1 measurement (mean of 2 workers)', baseline: `traced ${fmt(r.rss_mb.traced, 1)} vs untraced ${fmt(r.rss_mb.untraced, 1)} MiB (NodeSDK ${fmt(r.rss_mb.nodesdk, 1)})`, goal: `<= ${GOALS.rss_added_mb} MiB`, test: (v) => v <= GOALS.rss_added_mb },
    {
      measure: "memory added per worker, vs NodeSDK's added",
      value: r.rss_mb.added_vs_nodesdk,
      values: [r.rss_mb.added_vs_nodesdk],
      shown: `${fmt(r.rss_mb.added_vs_nodesdk, 2)}x (+${fmt(r.rss_mb.added, 1, ' MiB')})`,
      spread: '1 measurement (mean of 2 workers)',
      baseline: `NodeSDK +${fmt(r.rss_mb.added_nodesdk, 1, ' MiB')}`,
      goal: `<= ${GOALS.rss_added_vs_nodesdk}x NodeSDK's and <= ${GOALS.rss_added_mb_issue14} MiB`,
      test: (v) => v <= GOALS.rss_added_vs_nodesdk && r.rss_mb.added <= GOALS.rss_added_mb_issue14,
    },
    { measure: 'shutdown with flush (SIGTERM to exit)', value: r.shutdown_ms.forkhooks, values: r.shutdown_ms.samples.forkhooks, shown: fmt(r.shutdown_ms.forkhooks, 0, ' ms'), spread: spread(r.shutdown_ms.samples.forkhooks, 0, 'samples', ' ms'), baseline: `untraced ${fmt(r.shutdown_ms.untraced, 0, ' ms')}`, goal: `<= ${GOALS.shutdown_ms} ms`, test: (v) => v <= GOALS.shutdown_ms },
    { measure: 'dispatch, 100 no-op hooks', value: r.dispatch_ns_per_hook, values: [r.dispatch_ns_per_hook], shown: `${fmt(r.dispatch_ns_per_hook, 0)} ns/hook`, spread: '1 measurement', baseline: `bare await loop ${fmt(r.dispatch.baseline_ns_per_hook, 0)} ns/hook (${fmt(r.dispatch.ratio, 1)}x)`, goal: `<= ${GOALS.dispatch_ns_per_hook} ns/hook`, test: (v) => v <= GOALS.dispatch_ns_per_hook },
  ];
  return rows.map(({ values, test, info, ...g }) => ({ ...g, ...(info ? { met: null, met_text: '-' } : judge(values, test)) }));
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
const GOAL_HEAD = ['measure', 'forkhooks (median)', 'spread (min–max)', 'baseline', 'goal', 'met'];
const goalRows = (r) => r.goals.map((g) => [g.measure, g.shown, g.spread, g.baseline, g.goal, g.met_text]);

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

/** The pipeline microbenchmark in two lines (none when it did not run). */
function pipelineLines(r) {
  const p = r.pipeline;
  if (!p) return [];
  const sides = Object.entries(p.sides).map(([k, s]) => `${k} ${fmt(s.us_per_span, 2)} us/span (${fmt(s.spans_per_s_per_core, 0)} spans/s per core)`);
  const paths = Object.entries(p.export_path).map(([k, s]) => `${k} ${fmt(s.us_per_span, 2)}`);
  const before = finite(p.ratio_vs_forkhooks_sdk) ? `; forkhooks-sdk / forkhooks (the previous pipeline over the current): ${fmt(p.ratio_vs_forkhooks_sdk, 2)} (rounds ${spread(p.ratio_vs_forkhooks_sdk_rounds, 2, 'rounds')})` : '';
  return [
    `span pipeline (node ${p.node}, sdk-trace ${p.otel.sdk_trace}): ${sides.join(', ')}; ${p.noise}${before}`,
    `export path alone, us/span: ${paths.join(', ')}${p.export_path_forkhooks ? ` (forkhooks': ${p.export_path_forkhooks})` : ''}`,
  ];
}

/**
 * Issue 14 section 2's goals, one verdict line each (the rows of the goals table they come from,
 * judged by the same rule: met only if every round clears it, NO if none does, else inside the noise).
 */
function section2Lines(r) {
  const rows = SECTION2_GOALS.map((measure) => r.goals.find((g) => g.measure === measure)).filter(Boolean);
  const met = rows.filter((g) => g.met === true).length;
  return [
    `issue 14 section 2 goals (node ${r.machine.node}): ${met} of ${SECTION2_GOALS.length} met${rows.length < SECTION2_GOALS.length ? ` (${SECTION2_GOALS.length - rows.length} not measured in this run)` : ''}`,
    ...rows.map((g) => `- ${g.measure}: ${g.shown}, goal ${g.goal}: ${g.met_text} (${g.spread})`),
  ];
}

function renderText(r) {
  return [header(r), settingsLine(r), '', textTable(THROUGHPUT_HEAD, throughputRows(r)), r.overhead.noise, ...pipelineLines(r), '', textTable(GOAL_HEAD, goalRows(r)), '', ...section2Lines(r)].join('\n');
}

function renderMarkdown(r, chartFile, command) {
  return [
    `# Benchmark results (${r.mode})`,
    '',
    `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.date}. Produced by \`${command}\`.`,
    '',
    settingsLine(r),
    '',
    mdTable(THROUGHPUT_HEAD, throughputRows(r)),
    '',
    r.overhead.noise,
    '',
    ...pipelineLines(r).flatMap((line) => [line, '']),
    mdTable(GOAL_HEAD, goalRows(r)),
    '',
    ...section2Lines(r),
    '',
    `![throughput and delivery ratios](${chartFile})`,
    '',
  ].join('\n');
}

module.exports = { buildResults, renderText, renderMarkdown, judge, mdTable };
