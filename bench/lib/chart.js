// The chart of the ratios as a standalone SVG, written by hand (no dependency): one horizontal bar
// per ratio, a dashed line at 1.0 and a tick at each goal.
'use strict';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `bars`: [{ label, value, goal?, goalLabel?, group }] */
function barChart({ title, subtitle, bars }) {
  const width = 760;
  const left = 270;
  const right = 90;
  const rowH = 34;
  const top = 64;
  const groupGap = 18;
  const max = Math.max(1.2, ...bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)), ...bars.map((b) => b.range?.[1] ?? 0), ...bars.map((b) => b.goal ?? 0)) * 1.05;
  const x = (v) => left + ((width - left - right) * v) / max;
  const colors = { throughput: '#3b7dd8', delivery: '#2e9e5b', naive: '#c0504d', cost: '#8e6bbf' };
  const parts = [];
  let y = top;
  let group;
  for (const bar of bars) {
    if (group !== undefined && bar.group !== group) y += groupGap;
    group = bar.group;
    const ok = Number.isFinite(bar.value);
    const barW = ok ? Math.max(1, x(bar.value) - left) : 0;
    parts.push(`<text x="${left - 10}" y="${y + 21}" text-anchor="end" font-size="13">${esc(bar.label)}</text>`);
    parts.push(`<rect class="bar" x="${left}" y="${y + 6}" width="${barW.toFixed(1)}" height="${rowH - 12}" fill="${colors[bar.color ?? bar.group]}"/>`);
    if (bar.range) {
      // The spread over rounds (min to max): a figure is only as precise as this.
      const [lo, hi] = bar.range.map((v) => x(v).toFixed(1));
      parts.push(`<line class="spread" x1="${lo}" x2="${hi}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="#111" stroke-width="1.5"/>`);
    }
    const labelX = (ok ? x(bar.value) : left) + (bar.goal !== undefined && ok && Math.abs(x(bar.value) - x(bar.goal)) < 8 ? 12 : 6);
    const textX = bar.range && ok ? Math.max(labelX, x(bar.range[1]) + 6) : labelX;
    parts.push(`<text x="${textX.toFixed(1)}" y="${y + 21}" font-size="13" font-weight="bold">${ok ? bar.value.toFixed(bar.range ? 2 : 3) : 'n/a'}</text>`);
    if (bar.goal !== undefined) {
      const gx = x(bar.goal).toFixed(1);
      parts.push(`<line x1="${gx}" x2="${gx}" y1="${y + 2}" y2="${y + rowH - 2}" stroke="#222" stroke-width="2"/>`);
      parts.push(`<text x="${gx}" y="${y + rowH + 4}" text-anchor="middle" font-size="10" fill="#444">${esc(bar.goalLabel ?? `goal ${bar.goal}`)}</text>`);
    }
    y += rowH + (bar.goal !== undefined ? 8 : 0);
  }
  const bottom = y + 10;
  const legendY = bottom + 40;
  const one = x(1).toFixed(1);
  const axis = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2].filter((v) => v <= max);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${legendY + 12}" viewBox="0 0 ${width} ${legendY + 12}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="16" y="26" font-size="17" font-weight="bold">${esc(title)}</text>`,
    `<text x="16" y="46" font-size="12" fill="#444">${esc(subtitle)}</text>`,
    ...axis.map((v) => `<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${top}" y2="${bottom}" stroke="#e4e4e4"/><text x="${x(v).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" font-size="11" fill="#666">${v}</text>`),
    `<line x1="${one}" x2="${one}" y1="${top}" y2="${bottom}" stroke="#888" stroke-dasharray="4 3"/>`,
    ...parts,
    `<rect x="16" y="${legendY - 10}" width="12" height="12" fill="${colors.throughput}"/><text x="34" y="${legendY}" font-size="12">forkhooks (throughput)</text>`,
    `<rect x="200" y="${legendY - 10}" width="12" height="12" fill="${colors.delivery}"/><text x="218" y="${legendY}" font-size="12">forkhooks (delivery)</text>`,
    `<rect x="370" y="${legendY - 10}" width="12" height="12" fill="${colors.naive}"/><text x="388" y="${legendY}" font-size="12">baseline</text>`,
    `<rect x="460" y="${legendY - 10}" width="12" height="12" fill="${colors.cost}"/><text x="478" y="${legendY}" font-size="12">cost (issue 14)</text>`,
    `<line x1="590" x2="590" y1="${legendY - 11}" y2="${legendY + 2}" stroke="#222" stroke-width="2"/><text x="598" y="${legendY}" font-size="12">goal</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** Issue 14: the span pipeline (higher is better) and what forkhooks adds as a fraction of NodeSDK's (lower is better). */
function costBars(r) {
  const bars = [];
  if (r.pipeline?.ratio_vs_stock != null) bars.push({ group: 'cost', label: 'span pipeline stock / forkhooks (CPU)', value: r.pipeline.ratio_vs_stock, range: r.pipeline.ratio_range, goal: 1.5, goalLabel: 'goal ≥ 1.5' });
  if (r.overhead_ratio_vs_nodesdk != null) bars.push({ group: 'cost', label: 'tracing overhead forkhooks / NodeSDK', value: r.overhead_ratio_vs_nodesdk, range: r.overhead?.ranges?.ratio_vs_nodesdk, goal: 0.8, goalLabel: 'goal ≤ 0.8' });
  if (r.rss_mb?.added_vs_nodesdk != null) bars.push({ group: 'cost', label: "memory added / NodeSDK's added", value: r.rss_mb.added_vs_nodesdk, goal: 0.5, goalLabel: 'goal ≤ 0.5' });
  const fractions = r.startup_ms?.fractions_of_nodesdk_auto;
  if (r.startup_ms?.fraction_of_nodesdk_auto != null) bars.push({ group: 'cost', label: 'start-up added / NodeSDK+auto added', value: r.startup_ms.fraction_of_nodesdk_auto, range: fractions?.length ? [Math.min(...fractions), Math.max(...fractions)] : undefined, goal: 0.1, goalLabel: 'goal ≤ 0.10' });
  return bars;
}

/** The chart of a results document. */
function ratiosChart(r) {
  const t = r.throughput;
  return barChart({
    title: 'forkhooks: throughput, delivery and cost ratios',
    subtitle: `${r.machine.cpu}, ${r.machine.cores} cores, node ${r.machine.node}, ${r.machine.date.slice(0, 10)} (${r.mode}); medians of one run, lines: min–max over its rounds`,
    bars: [
      { group: 'throughput', label: 'throughput forkhooks / untraced', value: t.ratio_vs_untraced, range: t.ranges.ratio_vs_untraced, goal: 0.35, goalLabel: 'goal ≥ 0.35' },
      { group: 'throughput', label: 'throughput NodeSDK / untraced', value: t.nodesdk_vs_untraced, color: 'naive' },
      { group: 'throughput', label: 'throughput forkhooks / NodeSDK', value: t.ratio_vs_nodesdk, range: t.ranges.ratio_vs_nodesdk, goal: 1.1, goalLabel: 'goal ≥ 1.10' },
      { group: 'throughput', label: 'CPU per request NodeSDK / forkhooks', value: t.cpu_efficiency_vs_nodesdk, range: t.ranges.cpu_efficiency_vs_nodesdk },
      { group: 'delivery', label: 'delivery forkhooks (received / ended)', value: r.delivery.forkhooks_ratio, goal: 1, goalLabel: 'goal 1.000' },
      { group: 'delivery', label: 'delivery naive BSP, no exit flush', value: r.delivery.naive_ratio, color: 'naive' },
      // Issue 14's measures of cost, where present (a partial run may lack them).
      ...costBars(r),
    ],
  });
}

module.exports = { ratiosChart, barChart };
