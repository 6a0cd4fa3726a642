import { join } from 'node:path';
import { runNode } from '../../../test-utils/processes';
import type { TracingStats } from '../src';
import { LINES, useLine, type Line } from './otel-lines';
import { useReceiver, useReceivers } from './receiver-fixture';

// Hostile spans in the same batches as good ones (issue 21, items 2 and 3), over both OTLP/HTTP
// protocols and both OpenTelemetry lines, in real processes exporting to the real receiver: every
// good span arrives, a value the API forbids is coerced (and arrives), and a span that cannot be sent
// is dropped alone, counted, and said in one line with its cause. One process per case group.
const APP = join(__dirname, 'fixtures', 'hostile-spans.js');
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;
const KINDS = ['name-number', 'name-undefined', 'name-symbol', 'name-object', 'update-undefined', 'event-number', 'bad-link', 'huge', 'big-good'];

interface Run {
  code: number | null;
  stderr: string;
  stats: TracingStats;
}

async function run(line: Line, env: NodeJS.ProcessEnv): Promise<Run> {
  const result = await runNode(line.entry(APP), { node: line.node, env: { ...line.env, ...env }, timeoutMs: 60_000 });
  const stats = /^STATS (.*)$/m.exec(result.stdout)?.[1];
  if (stats === undefined) throw new Error(`the app printed no stats (exit ${result.code}):\n${result.stderr}`);
  return { code: result.code, stderr: result.stderr, stats: JSON.parse(stats) as TracingStats };
}

const linesOf = (text: string, pattern: RegExp): string[] => text.split('\n').filter((l) => pattern.test(l));

describe.each(LINES)('hostile spans among good ones, OTel %s line', (lineName, available) => {
  const line = useLine(lineName, available);
  const receiver = useReceiver();
  const startReceiver = useReceivers();
  const maybe = available ? it : it.skip;

  maybe.each(PROTOCOLS)(
    '%s: every good span arrives, forbidden names are coerced, a span that cannot be encoded and one too big to send are dropped alone and said',
    async (protocol) => {
      const { code, stderr, stats } = await run(line, { HOSTILE: KINDS.join(','), GOOD: '10', OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url });
      expect(code).toBe(0);
      const names = receiver().spans().map((s) => s.name);
      const good = names.filter((n) => /^good-\d+$/.test(n));
      expect(new Set(good).size).toBe(10 * (KINDS.length + 1));
      expect(names.filter((n) => n.startsWith('big-good-')).sort()).toEqual(['big-good-0', 'big-good-1', 'big-good-2', 'big-good-3']);
      // Coerced as String() does: two spans named undefined (startSpan(undefined), updateName(undefined)).
      expect(names.filter((n) => !/^(good|big-good)-\d+$/.test(n)).sort()).toEqual(['123', 'Symbol(sym)', '[object Object]', 'undefined', 'undefined', 'with-event']);
      expect(receiver().spans().find((s) => s.name === 'with-event')?.events.map((e) => e.name)).toEqual(['42']);
      expect(stats).toEqual({ spansEnded: 10 * (KINDS.length + 1) + 4 + 8, spansExported: 10 * (KINDS.length + 1) + 4 + 6, spansDropped: 2, spansPending: 0, exportFailures: 0 });
      // Each cause in one line: the span's name, what was wrong, the fix.
      expect(linesOf(stderr, /could not be encoded/)).toEqual([expect.stringMatching(/1 span that could not be encoded, dropped \(span "bad-link": .*\)/)]);
      expect(linesOf(stderr, /too big to send, dropped/)).toEqual([
        expect.stringMatching(/1 span too big to send, dropped \(span "huge": 52\d{5} bytes encoded, over the request limit of 1000000 bytes \(FORKHOOKS_OTLP_MAX_REQUEST_BYTES\); .*OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT/),
      ]);
      // One line per field coerced, however many spans: the span name (5 spans) and the event name.
      expect(linesOf(stderr, /not a string/)).toEqual([
        expect.stringMatching(/a span name that is not a string \(number 123\) was sent as "123": pass a string to tracer.startSpan\(\) and span.updateName\(\)/),
        expect.stringMatching(/an event name that is not a string \(number 42\) was sent as "42": pass a string to span.addEvent\(\)/),
      ]);
      // No request passed the limit, and none was refused.
      const requests = receiver().recentRequests();
      expect(requests.every((r) => r.status === 200 && r.bodyBytes <= 1_000_000)).toBe(true);
    },
    90_000,
  );

  maybe.each(PROTOCOLS)('%s: a collector answering 413 gets the batch again in halves, down to the one span it cannot take', async (protocol) => {
    const small = await startReceiver({ maxBodyBytes: 256 * 1024 });
    const { code, stderr, stats } = await run(line, {
      HOSTILE: 'big-one',
      GOOD: '40',
      GOOD_BYTES: '10000',
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_ENDPOINT: small.url,
    });
    expect(code).toBe(0);
    const names = small.spans().map((s) => s.name);
    expect(new Set(names.filter((n) => /^good-\d+$/.test(n))).size).toBe(80);
    expect(names).not.toContain('big-one');
    expect(stats).toEqual({ spansEnded: 81, spansExported: 80, spansDropped: 1, spansPending: 0, exportFailures: 0 });
    const refused = small.recentRequests().filter((r) => r.status === 413);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(linesOf(stderr, /too big to send, dropped/)).toEqual([expect.stringMatching(/1 span too big to send, dropped \(span "big-one": 30\d{4} bytes, answered .*413.*FORKHOOKS_OTLP_MAX_REQUEST_BYTES.*OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT/)]);
  }, 90_000);
});
