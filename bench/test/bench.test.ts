// The bench harness works end to end: `node bench/run.js --smoke` runs every section (processes,
// receiver, load, restarts, spawns), writes the JSON, Markdown and SVG, and leaves no process
// behind. No timing is asserted: numbers from a smoke run mean nothing, and CI machines vary.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, reapLeftovers, runNode, tempDir } from '../../test-utils/processes';

const RUN = join(__dirname, '..', 'run.js');
const isNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

describe('npm run bench -- --smoke', () => {
  const out = tempDir('forkhooks-bench-');
  let result: Awaited<ReturnType<typeof runNode>>;
  let json: Record<string, any>;

  beforeAll(async () => {
    result = await runNode(RUN, { args: ['--smoke', '--out', out.path], timeoutMs: 170_000 });
    if (existsSync(join(out.path, 'latest.json'))) json = JSON.parse(readFileSync(join(out.path, 'latest.json'), 'utf8'));
  }, 180_000);

  afterAll(async () => {
    expect(await reapLeftovers()).toEqual([]);
    out.cleanup();
  });

  it('exits 0 and prints the table', () => {
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(result.stdout).toMatch(/config\s+req\/s\s+p50 ms\s+p99 ms/);
    expect(result.stdout).toMatch(/throughput forkhooks \/ NodeSDK/);
    expect(result.stdout).toMatch(/processes started, all stopped and gone/);
  });

  it('writes latest.json with every field the issue asks for', () => {
    expect(json.machine).toEqual(expect.objectContaining({ cpu: expect.any(String), cores: expect.any(Number), node: process.version, date: expect.any(String) }));
    const t = json.throughput;
    for (const key of ['untraced_rps', 'forkhooks_rps', 'nodesdk_rps', 'ratio_vs_untraced', 'ratio_vs_nodesdk']) expect([key, isNumber(t[key])]).toEqual([key, true]);
    for (const config of ['untraced', 'forkhooks', 'nodesdk']) expect([config, isNumber(t.p99_ms[config])]).toEqual([config, true]);
    for (const key of ['bare', 'forkhooks', 'nodesdk_http', 'nodesdk_auto']) expect([key, isNumber(json.startup_ms[key])]).toEqual([key, true]);
    // The spread the verdicts are judged on: one ratio per round.
    for (const key of ['ratio_vs_untraced', 'ratio_vs_nodesdk', 'cpu_efficiency_vs_nodesdk']) {
      expect([key, t.rounds[key].length, t.rounds[key].every(isNumber)]).toEqual([key, json.settings.throughput.rounds, true]);
    }
    expect(isNumber(json.shutdown_ms.forkhooks)).toBe(true);
    expect(isNumber(json.dispatch_ns_per_hook)).toBe(true);
    expect(isNumber(json.rss_mb.untraced) && isNumber(json.rss_mb.traced)).toBe(true);
    // Issue 13's section: traces + metrics vs traces only, and one scrape of the cluster /metrics of 2 workers.
    expect([isNumber(json.metrics.throughput.ratio_metrics_vs_traces_only), isNumber(json.metrics.scrape.scrape_ms_median), json.metrics.scrape.workers]).toEqual([true, true, 2]);
  });

  it('writes the tracing overhead and the pipeline microbench, each with its Node version, consistent with each other', () => {
    const o = json.overhead_us_per_request;
    expect([isNumber(o.forkhooks), isNumber(o.nodesdk), o.node]).toEqual([true, true, process.version]);
    expect(isNumber(json.overhead_ratio_vs_nodesdk)).toBe(true);
    expect(json.overhead_ratio_vs_nodesdk).toBeCloseTo(o.forkhooks / o.nodesdk, 1);
    // One overhead per round, and the noise verdict from the untraced rounds' spread.
    expect(json.overhead.rounds.forkhooks).toHaveLength(json.settings.throughput.rounds);
    expect(typeof json.overhead.noisy).toBe('boolean');
    const untraced = json.throughput.samples.untraced.map((r: { worker_cpu_us_per_request: number }) => r.worker_cpu_us_per_request);
    const sorted = [...untraced].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    const med = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
    expect(json.overhead.noisy).toBe((Math.max(...untraced) - Math.min(...untraced)) / med > 0.15);
    const p = json.pipeline;
    expect([isNumber(p.forkhooks_us_per_span), isNumber(p.stock_us_per_span), isNumber(p.ratio_vs_stock), p.node]).toEqual([true, true, true, process.version]);
    expect(p.forkhooks_us_per_span).toBeGreaterThan(0);
    expect(p.ratio_vs_stock).toBeCloseTo(p.stock_us_per_span / p.forkhooks_us_per_span, 2);
    expect(p.ratio_rounds).toHaveLength(json.settings.pipeline.rounds);
    for (const path of ['forkhooks (http/protobuf)', 'stock http/protobuf', 'stock http/json', 'serialize protobuf', 'serialize json']) {
      expect([path, isNumber(p.export_path[path]?.us_per_span)]).toEqual([path, true]);
    }
    expect(result.stdout).toMatch(/tracing overhead forkhooks \/ NodeSDK/);
    expect(result.stdout).toMatch(/(NOISY RUN|quiet run): the untraced rounds/);
  });

  it("measures forkhooks' previous pipeline (FORKHOOKS_SPAN_PIPELINE=sdk) as a side of its own, and names the export path it measured", () => {
    const p = json.pipeline;
    expect(Object.keys(p.sides)).toEqual(['forkhooks', 'forkhooks-sdk', 'stock', 'stock-json', 'spans-only']);
    // Each pipeline's own cost is its side's over the spans-only side's (what making the spans costs).
    expect(p.pipeline_own_us_per_span.forkhooks).toBeCloseTo(p.forkhooks_us_per_span - p.spans_only_us_per_span, 1);
    expect(p.own_ratio_vs_stock).toBeCloseTo((p.stock_us_per_span - p.spans_only_us_per_span) / (p.forkhooks_us_per_span - p.spans_only_us_per_span), 1);
    expect(p.sides['forkhooks-sdk'].rounds).toBe(json.settings.pipeline.rounds);
    expect(p.ratio_vs_forkhooks_sdk).toBeCloseTo(p.forkhooks_sdk_us_per_span / p.forkhooks_us_per_span, 2);
    expect(p.ratio_vs_forkhooks_sdk_rounds).toHaveLength(json.settings.pipeline.rounds);
    expect(p.export_path_forkhooks).toMatch(/^(exporters\.js|otlp\/encodings\.js)/);
  });

  it("reports issue 14 section 2's goals, each judged met / NO / inside the noise, memory against NodeSDK's added included", () => {
    expect(json.section2_goals.map((g: { measure: string }) => g.measure)).toEqual([
      'span pipeline, stock / forkhooks (CPU/span)',
      'tracing overhead forkhooks / NodeSDK (worker CPU/req)',
      "memory added per worker, vs NodeSDK's added",
      'start-up added over bare',
      'delivery (received / ended)',
    ]);
    for (const g of json.section2_goals) expect([g.measure, g.met_text]).toEqual([g.measure, expect.stringMatching(/^(yes|NO|inside the noise)/)]);
    const rss = json.rss_mb;
    expect(rss.added_nodesdk).toBeCloseTo(rss.nodesdk - rss.untraced, 0);
    expect(rss.added_vs_nodesdk).toBeCloseTo(rss.added / rss.added_nodesdk, 1);
    expect(result.stdout).toMatch(/issue 14 section 2 goals \(node v[\d.]+\): \d of 5 met/);
  });

  it('measured what it says: traced configurations delivered spans, every worker reported its count, the delivery ratio is received / ended', () => {
    // About 4 spans per request (server span, root, fib_slow, fib_fast) arrived from both traced configurations.
    expect(json.throughput.spans_per_request.forkhooks).toBeGreaterThan(3);
    expect(json.throughput.spans_per_request.nodesdk).toBeGreaterThan(3);
    for (const run of json.delivery.runs) {
      expect(run.ended).toBeGreaterThan(0);
      expect(run.worker_processes).toBe(run.expected_worker_processes);
    }
    expect(json.delivery.unreported_workers).toEqual({ forkhooks: 0, naive: 0 });
    for (const config of ['forkhooks', 'naive']) {
      const runs = json.delivery.runs.filter((run: { config: string }) => run.config === config);
      expect(runs.length).toBe(json.settings.delivery.rounds);
      const sum = (key: 'received' | 'ended'): number => runs.reduce((total: number, run: Record<typeof key, number>) => total + run[key], 0);
      const ratio = json.delivery[`${config}_ratio`];
      expect([config, ratio >= 0 && ratio <= 1]).toEqual([config, true]);
      expect([config, ratio]).toEqual([config, Math.round((sum('received') / sum('ended')) * 1e4) / 1e4]);
    }
  });

  it('writes the Markdown table and an SVG chart of the ratios', () => {
    const md = readFileSync(join(out.path, 'latest.md'), 'utf8');
    expect(md).toMatch(/\| config \| req\/s \|/);
    expect(md).toContain('![throughput and delivery ratios](latest.svg)');
    const svg = readFileSync(join(out.path, 'latest.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    // Exactly one bar per ratio (3 throughput, CPU, 2 delivery, and issue 14's 4 costs: pipeline,
    // overhead, memory, start-up), each drawn (a missing value is width 0).
    const widths = [...svg.matchAll(/<rect class="bar" [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(10);
    expect(widths.filter((w) => w >= 1)).toHaveLength(10);
    expect(svg).toMatch(/span pipeline stock \/ forkhooks \(CPU\)/);
  });

  it('leaves no process running: every pid it started is gone', () => {
    expect(json.pids_started.length).toBeGreaterThan(10);
    expect(json.pids_started.filter((pid: number) => isAlive(pid))).toEqual([]);
  });
});
