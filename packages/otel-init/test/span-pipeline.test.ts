import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { freePort } from '../../../test-utils/http';
import { readEvents, runNode, tempDir } from '../../../test-utils/processes';
import type { TracingStats } from '../src';
import { makeCertificates, type TestCertificates } from './certificates';
import { LINES, useLine } from './otel-lines';
import { useReceiver } from './receiver-fixture';

// forkhooks' own span pipeline (otlp/: encoding-processor.ts, http-sender.ts), the default over
// http/protobuf and http/json, on real processes exporting to the real receiver on 127.0.0.1 (or, to
// answer partial successes, a plain HTTP server of the test's own).
const APP = join(__dirname, 'fixtures', 'pipeline-app.js');
const PROTOCOL_APP = join(__dirname, 'fixtures', 'protocol-app.js');
const HTTP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

type Stats = TracingStats;

describe("forkhooks' span pipeline (OTLP/HTTP)", () => {
  const dir = tempDir('forkhooks-pipeline-');
  const receiver = useReceiver({ cleanup: () => dir.cleanup() });
  let runs = 0;

  /** Runs the pipeline app with `env` to its end; returns its output and its recorded stats by event. */
  async function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; stats: Record<string, Stats> }> {
    const events = join(dir.path, `events-${++runs}.jsonl`);
    const result = await runNode(APP, { env: { EVENTS_FILE: events, OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, ...env }, timeoutMs: 40_000 });
    const stats = Object.fromEntries(readEvents(events).map((e) => [e.event, e.stats as Stats]));
    return { code: result.code, stderr: result.stderr, stats };
  }

  it.each(HTTP_PROTOCOLS)('%s: delivers every span, counted by the receiver and by stats(), in requests of its content type from forkhooks\' sender', async (protocol) => {
    const { code, stats } = await run({ SPANS: '1200', OTEL_EXPORTER_OTLP_PROTOCOL: protocol });
    expect(code).toBe(0);
    expect(receiver().count()).toBe(1200);
    expect(stats['exit-stats']).toEqual({ spansEnded: 1200, spansExported: 1200, spansDropped: 0, spansPending: 0, exportFailures: 0 });
    const requests = receiver().recentRequests();
    // 1,200 spans in one tick: 512 sent when the batch filled, the rest queued and flushed at exit, 512 at most per request.
    expect(requests.map((r) => r.spans).sort((a, b) => b - a)).toEqual([512, 512, 176]);
    for (const request of requests) {
      expect(request.headers['content-type']).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      expect(request.headers['user-agent']).toMatch(/^forkhooks-otel-init\/\d/);
    }
  });

  it('sends a batch when it holds OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans, without waiting for the delay', async () => {
    const { stats } = await run({ SPANS: '25', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10', OTEL_BSP_SCHEDULE_DELAY: '600000', WAIT_EXPORTED: '20' });
    // Two full batches went out while the app ran (a delay no run reaches); the other 5 waited for the exit's flush.
    expect(stats.waited).toMatchObject({ spansEnded: 25, spansExported: 20, spansPending: 5, spansDropped: 0 });
    expect(receiver().recentRequests().map((r) => r.spans)).toEqual([10, 10, 5]);
    expect(stats['exit-stats']).toMatchObject({ spansExported: 25, spansPending: 0 });
  });

  it('sends a batch smaller than the batch size once OTEL_BSP_SCHEDULE_DELAY passed since its first span', async () => {
    const { stats } = await run({ SPANS: '7', OTEL_BSP_SCHEDULE_DELAY: '200', WAIT_EXPORTED: '7' });
    expect(stats['after-end']).toMatchObject({ spansEnded: 7, spansExported: 0, spansPending: 7 });
    // Sent on schedule, before the app ended: one request, and nothing left for the exit's flush.
    expect(stats.waited).toMatchObject({ spansExported: 7, spansPending: 0 });
    expect(receiver().recentRequests().map((r) => r.spans)).toEqual([7]);
  });

  it('drops and counts spans beyond OTEL_BSP_MAX_QUEUE_SIZE (encoded, not yet sent), as the BatchSpanProcessor does', async () => {
    const { stats } = await run({ SPANS: '100', OTEL_BSP_MAX_QUEUE_SIZE: '30', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10', OTEL_BSP_SCHEDULE_DELAY: '600000' });
    // The first 10 filled a batch, which left the queue for its send; 30 more filled the queue; 60 were dropped.
    expect(stats['after-end']).toEqual({ spansEnded: 100, spansExported: 0, spansDropped: 60, spansPending: 40, exportFailures: 0 });
    expect(stats['exit-stats']).toEqual({ spansEnded: 100, spansExported: 40, spansDropped: 60, spansPending: 0, exportFailures: 0 });
    expect(receiver().count()).toBe(40);
  });

  it('shutdown sends what was queued, then drops (and counts) every span ended after it', async () => {
    const { stats } = await run({ SPANS: '5', AFTER_SHUTDOWN: '3' });
    expect(stats['after-shutdown']).toEqual({ spansEnded: 8, spansExported: 5, spansDropped: 3, spansPending: 0, exportFailures: 0 });
    expect(receiver().count()).toBe(5);
  });

  it('retries a batch answered 503, and delivers it (one failed attempt, one accepted)', async () => {
    receiver().setFault({ status: 503, times: 1 });
    const { stats, stderr } = await run({ SPANS: '5' });
    expect(receiver().recentRequests().map((r) => [r.status, r.spans])).toEqual([
      [503, 0],
      [200, 5],
    ]);
    expect(stats['exit-stats']).toEqual({ spansEnded: 5, spansExported: 5, spansDropped: 0, spansPending: 0, exportFailures: 0 });
    expect(stderr).not.toMatch(/span (export|flush)/);
  });

  it('waits as long as a 429 answer\'s Retry-After says before it retries', async () => {
    receiver().setFault({ status: 429, retryAfterSeconds: 2, times: 1 });
    const { stats } = await run({ SPANS: '5' });
    const [first, second] = receiver().recentRequests();
    expect([first?.status, second?.status]).toEqual([429, 200]);
    // The backoff alone would retry after 0.8-1.2 s; Retry-After: 2 says 2 s (measured from before the first answer).
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1_950);
    expect(stats['exit-stats']).toMatchObject({ spansExported: 5, spansDropped: 0 });
  });

  it('does not retry a batch answered 400, and says why: the status and what the collector said', async () => {
    receiver().setFault({ status: 400, times: 1 });
    const { stats, stderr } = await run({ SPANS: '5' });
    expect(receiver().requests()).toBe(1);
    expect(receiver().count()).toBe(0);
    expect(stats['exit-stats']).toEqual({ spansEnded: 5, spansExported: 0, spansDropped: 5, spansPending: 0, exportFailures: 1 });
    expect(stderr).toMatch(/span export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed: Bad Request \(HTTP 400\): fault injected by the receiver: status 400; counting lost spans/);
  });

  it('with the collector down, the flush at exit names ECONNREFUSED and counts the lost spans', async () => {
    const port = await freePort();
    const { code, stats, stderr } = await run({ SPANS: '5', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_TIMEOUT: '1500' });
    expect(code).toBe(0);
    expect(stderr).toMatch(new RegExp(`span flush at exit failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}; 5 spans lost \\(5 in this flush, of 5 ended in this process\\)\\. The collector at http://127\\.0\\.0\\.1:${port}/v1/traces was unreachable`));
    expect(stats['exit-stats']).toEqual({ spansEnded: 5, spansExported: 0, spansDropped: 5, spansPending: 0, exportFailures: 1 });
  });

  it.each(HTTP_PROTOCOLS)('%s with OTEL_EXPORTER_OTLP_COMPRESSION=gzip: sends gzip bodies the receiver decodes', async (protocol) => {
    const plain = await run({ SPANS: '50', OTEL_EXPORTER_OTLP_PROTOCOL: protocol });
    const plainBytes = receiver().recentRequests()[0]?.bodyBytes ?? 0;
    receiver().reset();
    const gzipped = await run({ SPANS: '50', OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    const [request] = receiver().recentRequests();
    expect(request?.headers['content-encoding']).toBe('gzip');
    expect(request?.spans).toBe(50);
    // The same 50 spans, compressed on the wire (bodyBytes: as sent). Not by half: each span's
    // 24 bytes of random trace and span id do not compress, and the protobuf body is compact already.
    expect(request?.bodyBytes).toBeLessThan(plainBytes * 0.75);
    expect([plain.stats['exit-stats']?.spansExported, gzipped.stats['exit-stats']?.spansExported]).toEqual([50, 50]);
  });

  it("never traces its own export request (the app's own requests are traced)", async () => {
    // Exports every 50 ms while the app runs: a traced export request would be a span, exported in a later batch.
    const { stats } = await run({ SPANS: '20', OTEL_BSP_SCHEDULE_DELAY: '50', WAIT_EXPORTED: '20', PING_URL: `${receiver().url}/ping`, LINGER_MS: '500' });
    const clients = receiver()
      .spans()
      .filter((s) => s.kind === 'client')
      .map((s) => s.name);
    // The http instrumentation is on: the app's own GET is there, and no POST of the sender.
    expect(clients).toEqual(['GET']);
    expect(receiver().requests()).toBeGreaterThanOrEqual(2);
    expect(stats['exit-stats']).toMatchObject({ spansEnded: 21, spansExported: 21 });
  });

  describe('OTLP partial success (a collector that accepts a request but refuses some of its spans)', () => {
    let server: Server;
    let answer: { type: string; body: Buffer } = { type: '', body: Buffer.alloc(0) };
    let url = '';
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': answer.type }).end(answer.body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    const message = 'too old: spans older than 1h';
    /** ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) = 3, error_message (2) } } */
    const protobuf = (): Buffer => {
      const text = Buffer.from(message);
      const inner = Buffer.concat([Buffer.from([0x08, 3, 0x12, text.length]), text]);
      return Buffer.concat([Buffer.from([0x0a, inner.length]), inner]);
    };

    it.each([
      ['http/protobuf', 'application/x-protobuf', protobuf],
      ['http/json', 'application/json', () => Buffer.from(JSON.stringify({ partialSuccess: { rejectedSpans: '3', errorMessage: message } }))],
    ] as const)('%s: counts the refused spans as dropped and warns once with the collector\'s message', async (protocol, type, body) => {
      answer = { type, body: body() };
      const { stats, stderr } = await run({
        SPANS: '25',
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
      });
      // Three requests (10, 10, 5), each refusing 3 spans.
      expect(stats['exit-stats']).toEqual({ spansEnded: 25, spansExported: 16, spansDropped: 9, spansPending: 0, exportFailures: 0 });
      const warnings = stderr.split('\n').filter((l) => /partly rejected/.test(l));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/span export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces partly rejected: the collector refused 3 spans: too old: spans older than 1h; counting refused spans as dropped in stats\(\) until it accepts an export in full/);
      expect(stderr).not.toMatch(/span (export to \S+ failed|flush)/);
    });
  });

  describe('mTLS: a collector on https:// that only accepts workers with a client certificate of its CA', () => {
    let server: HttpsServer;
    let certs: TestCertificates;
    let url = '';
    const clients: string[] = [];
    beforeAll(async () => {
      certs = makeCertificates(dir.path);
      server = createHttpsServer({ key: certs.key, cert: certs.cert, ca: readFileSync(certs.ca), requestCert: true, rejectUnauthorized: true }, (req, res) => {
        clients.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('sends with OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE/_KEY (and the CA of OTEL_EXPORTER_OTLP_CERTIFICATE); without them the handshake fails, said once', async () => {
      const env = { SPANS: '5', OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_CERTIFICATE: certs.ca, OTEL_EXPORTER_OTLP_TIMEOUT: '2000' };
      const trusted = await run({ ...env, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: certs.clientCert, OTEL_EXPORTER_OTLP_CLIENT_KEY: certs.clientKey });
      expect(trusted.stats['exit-stats']).toEqual({ spansEnded: 5, spansExported: 5, spansDropped: 0, spansPending: 0, exportFailures: 0 });
      expect(clients).toEqual(['forkhooks test worker']);

      const anonymous = await run(env);
      expect(anonymous.stats['exit-stats']).toMatchObject({ spansExported: 0, spansDropped: 5, spansPending: 0 });
      expect(anonymous.stderr.split('\n').filter((l) => /span export to \S+ failed/.test(l))).toHaveLength(1);
      expect(clients).toEqual(['forkhooks test worker']);
    });
  });

  it('FORKHOOKS_SPAN_PIPELINE with another value than forkhooks or sdk fails postfork, naming the variable and the allowed values', async () => {
    const result = await runNode(PROTOCOL_APP, { env: { SPANS: '1', FORKHOOKS_SPAN_PIPELINE: 'stock', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/TracingConfigError: FORKHOOKS_SPAN_PIPELINE: "stock" is not a span pipeline; use one of forkhooks, sdk/);
  });
});

describe.each(LINES)('FORKHOOKS_SPAN_PIPELINE=sdk on the OpenTelemetry %s line', (lineName, available) => {
  const receiver = useReceiver();
  const line = useLine(lineName, available);
  const maybe = available ? it : it.skip;

  maybe.each(HTTP_PROTOCOLS)('%s goes through the official exporter of the line (its User-Agent), forkhooks through its own sender', async (protocol) => {
    const env = { ...line.env, SPANS: '30', OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url };
    const official = await runNode(line.entry(PROTOCOL_APP), { node: line.node, env: { ...env, FORKHOOKS_SPAN_PIPELINE: 'sdk' } });
    expect(official.code).toBe(0);
    expect(receiver().count()).toBe(30);
    const agents = (): string[] => [...new Set(receiver().recentRequests().map((r) => String(r.headers['user-agent'])))];
    expect(agents()).toEqual([expect.stringContaining(`OTel-OTLP-Exporter-JavaScript/${lineName === '3.x' ? '0.301.' : '0.223.'}`)]);

    receiver().reset();
    const own = await runNode(line.entry(PROTOCOL_APP), { node: line.node, env });
    expect(own.code).toBe(0);
    expect(receiver().count()).toBe(30);
    expect(agents()).toEqual([expect.stringMatching(/^forkhooks-otel-init\//)]);
  });
});
