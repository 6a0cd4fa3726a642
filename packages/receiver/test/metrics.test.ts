// POST /v1/metrics and OTLP/gRPC MetricsService/Export from the real OTLP metric exporters (JSON,
// protobuf, gRPC), each in its own process.
import { join } from 'node:path';
import { runNode } from '../../../test-utils/processes';
import { useReceiver } from './helpers';

const FIXTURE = join(__dirname, 'fixtures', 'export-metrics-once.js');

describe('the receiver at /v1/metrics, fed by the real OTLP metric exporters', () => {
  const receiver = useReceiver();

  it.each(['json', 'protobuf', 'grpc'])('sums each counter per instance (cumulative points counted once, at their latest value) over %s', async (protocol) => {
    const url = protocol === 'grpc' ? receiver().grpcUrl : `${receiver().url}/v1/metrics`;
    const run = await runNode(FIXTURE, { env: { URL: url, PROTOCOL: protocol, INSTANCE: `instance-${protocol}` }, timeoutMs: 20_000 });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(receiver().metrics()).toEqual([
      {
        instanceId: `instance-${protocol}`,
        pid: run.pid,
        workerIndex: 3,
        // 5 + 3 for kind a, 2 for kind b; the up-down counter is no counter.
        counters: { 'jobs.done': 10 },
        histogramCounts: { 'job.duration': 4 },
      },
    ]);
    expect(receiver().counterTotal('jobs.done')).toBe(10);
    // Kept apart from the trace requests on every transport, as a collector's metrics pipeline is.
    expect(receiver().stats().requests).toBe(0);
  });

  it('answers 400 naming the field of a malformed JSON body', async () => {
    const res = await fetch(`${receiver().url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceMetrics":{}}' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/resourceMetrics/);
  });
});
