import { join } from 'node:path';
import { freePortRun, httpGet } from '../../test-utils/http';
import { reapLeftovers, startNode, waitGone } from '../../test-utils/processes';

// The demo (examples/cluster-http/dist/demo.js, what `npm start` runs) with OTEL_EXPORTER_OTLP_PROTOCOL=grpc:
// it prints both receiver ports, and the workers deliver every span over OTLP/gRPC.
describe('the demo over OTLP/gRPC', () => {
  afterAll(async () => expect(await reapLeftovers()).toEqual([]));

  it('prints both receiver ports and, with OTEL_EXPORTER_OTLP_PROTOCOL=grpc, ends with every span received over gRPC, 0 lost', async () => {
    const dir = join(__dirname, '..', 'cluster-http');
    const port = await freePortRun(1);
    const demo = startNode(join(dir, 'dist', 'demo.js'), { env: { PORT: String(port), FORKHOOKS_LOG: 'warn', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, cwd: dir });
    const receiverLine = await demo.waitFor(/^receiver: /, 20_000);
    expect(receiverLine).toMatch(/^receiver: http:\/\/127\.0\.0\.1:\d+\/v1\/traces, OTLP\/gRPC http:\/\/127\.0\.0\.1:\d+ \(spans per worker: curl http:\/\/127\.0\.0\.1:\d+\/\)$/);
    await demo.waitFor(/^try: /, 20_000);
    for (const slot of [0, 1]) await demo.waitFor(new RegExp(`worker ${slot} .* serving`), 20_000);
    const pids = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const reply = await httpGet(`http://127.0.0.1:${port}/fibonacci?n=${5 + i}`);
      expect(reply.status).toBe(200);
      pids.add(Number(reply.headers['x-served-by']));
    }
    demo.child.kill('SIGINT');
    expect((await demo.exited).code).toBe(0);
    const final = /received (\d+) spans from (\d+) workers \((-?\d+) lost\)/.exec(demo.stdout());
    expect(final).not.toBeNull();
    const [, received, workers, lost] = final as RegExpExecArray;
    expect(Number(received)).toBeGreaterThanOrEqual(12 * 4);
    expect([Number(workers), Number(lost)]).toEqual([2, 0]);
    expect(`${demo.stdout()}\n${demo.stderr()}`).not.toMatch(/span export to \S+ failed/);
    expect(await waitGone([...pids].filter((pid) => pid !== demo.pid))).toEqual([]);
  });
});
