// The receiver against the exporter users run (@opentelemetry/exporter-trace-otlp-http, OTLP/JSON),
// configured by the standard environment variables: what it sends is read, what the receiver
// answers is understood, and the faults play as meant.
import { join } from 'node:path';
import { isAlive, runNode } from '../../../test-utils/processes';
import { useReceiver, useReceivers } from './helpers';

const FIXTURE = join(__dirname, 'fixtures', 'export-once.js');
const SUCCESS = 0;
const FAILED = 1;

async function exportOnce(env: NodeJS.ProcessEnv): Promise<{ code: number; error?: string; ms: number; pid: number }> {
  const run = await runNode(FIXTURE, { env, timeoutMs: 20_000 });
  // The fixture's own failure line is its stack on stderr with exit 1. What the exporter or Node print
  // there is theirs (Node >= 24 warns on otlp-exporter-base's setTimeout(-1) after `Retry-After: 0`),
  // so stderr is shown on failure but not asserted empty.
  expect({ exit: run.code, stderr: run.stderr }).toEqual({ exit: 0, stderr: expect.any(String) });
  expect(isAlive(run.pid)).toBe(false);
  return { ...(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { code: number; error?: string; ms: number }), pid: run.pid };
}

describe('the real OTLP/HTTP exporter, in its own process, against the receiver', () => {
  const receiver = useReceiver();
  const startOwn = useReceivers();
  afterEach(() => receiver().setFault(undefined));

  it('delivers through OTEL_EXPORTER_OTLP_ENDPOINT, gzip and OTEL_EXPORTER_OTLP_HEADERS included', async () => {
    const result = await exportOnce({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer t0ken,x-tenant=blue',
    });
    expect(result).toMatchObject({ code: SUCCESS });
    expect(receiver().count()).toBe(3);
    expect(receiver().byInstance()).toMatchObject([{ instanceId: `exp-${result.pid}`, serviceName: 'exported', pid: result.pid, spans: 3 }]);
    expect(receiver().lastHeaders()).toMatchObject({
      authorization: 'Bearer t0ken',
      'x-tenant': 'blue',
      'content-encoding': 'gzip',
      'content-type': 'application/json',
    });
  });

  it('is retried after a 503 with Retry-After, and then delivers', async () => {
    receiver().setFault({ status: 503, retryAfterSeconds: 0, times: 1 });
    const result = await exportOnce({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver().tracesUrl });
    expect(result).toMatchObject({ code: SUCCESS });
    expect(receiver().recentRequests().map((r) => r.status)).toEqual([503, 200]);
    expect(receiver().count()).toBe(3);
  });

  it('makes the exporter give up at once on a 400', async () => {
    receiver().setFault({ status: 400 });
    const result = await exportOnce({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver().tracesUrl });
    expect(result.code).toBe(FAILED);
    expect(receiver().requests()).toBe(1);
    expect(receiver().count()).toBe(0);
  });

  it('makes the exporter fail on its own timeout when it answers too late', async () => {
    // A receiver of its own: the late answer must not land in another test's counts.
    const slow = await startOwn({ fault: { delayMs: 3_000 } });
    const result = await exportOnce({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: slow.tracesUrl, OTEL_EXPORTER_OTLP_TIMEOUT: '300' });
    expect(result.code).toBe(FAILED);
    expect(result.ms).toBeLessThan(2_000);
    expect(slow.requests()).toBe(1);
  });
});
