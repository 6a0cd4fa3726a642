// Issue 21, item 11: a body under maxBodyBytes must not cost the receiver many times its size, nor
// hold its other requests for seconds. 15 MiB of `0a 00` (empty ResourceSpans) took 756 MB of RSS
// and 2.6 s before (bench/results/receiver-memory-before-2026-12-07.json). The receiver runs as the
// CLI in a process of its own, so that its peak RSS (VmHWM) is its own.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { reapLeftovers, startNode, waitGone, type NodeProcess } from '../../../test-utils/processes';
import { send, simpleSpans, toProtobuf } from './helpers';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const MiB = 1024 * 1024;

/** Peak resident set size of `pid` so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

function getRootMs(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${url}/`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - started));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('GET / gave no answer within 30 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Runs `work` while asking `GET /` every 50 ms; returns its result and the slowest `GET /`. */
async function whilePolling<T>(url: string, work: () => Promise<T>): Promise<{ result: T; slowestGetMs: number }> {
  let done = false;
  let slowest = 0;
  const poller = (async () => {
    while (!done) {
      slowest = Math.max(slowest, await getRootMs(url));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    return { result: await work(), slowestGetMs: slowest };
  } finally {
    done = true;
    await poller;
  }
}

const protobuf = (body: Buffer) => ({ body, headers: { 'content-type': 'application/x-protobuf' }, timeoutMs: 60_000 });

describe('the receiver is bounded whatever a body under maxBodyBytes holds (receiver CLI in its own process)', () => {
  let cli: NodeProcess;
  let url: string;
  let baseline: number;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test does; or npx tsc -b packages/receiver)`);
    cli = startNode(CLI, { args: ['--port', '0', '--grpc-port', '0'] });
    url = /listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(await cli.waitFor(/listening on/))?.[1] ?? '';
    await getRootMs(url);
    baseline = peakRss(cli.pid);
  });

  afterAll(async () => {
    process.kill(cli.pid, 'SIGTERM');
    expect(await waitGone([cli.pid])).toEqual([]);
    expect(await reapLeftovers()).toEqual([]);
  });

  it('refuses 15 MiB of empty ResourceSpans with a 413 naming the limit, under +200 MB of peak RSS (was +756 MB), while GET / is served', async () => {
    const body = Buffer.alloc(15 * MiB, Buffer.from([0x0a, 0x00]));
    const { result: answer, slowestGetMs } = await whilePolling(url, () => send(`${url}/v1/traces`, protobuf(body)));
    // Before: +756 MB and GET / waited 2.6 s. Now about +42 MB (the body, read and joined) and ~0.2 s.
    expect(peakRss(cli.pid) - baseline).toBeLessThan(200 * MiB);
    expect(slowestGetMs).toBeLessThan(2_000);
    expect(answer.status).toBe(413);
    expect(answer.body.toString('latin1')).toMatch(/would take more than maxDecodedBytes \(167772160 bytes, 160\.0 MiB\).*ResourceSpans.*OTEL_BSP_MAX_EXPORT_BATCH_SIZE/);
  });

  it('three such bodies at once stay bounded too', async () => {
    const body = Buffer.alloc(15 * MiB, Buffer.from([0x0a, 0x00]));
    const { result: answers, slowestGetMs } = await whilePolling(url, () => Promise.all([0, 1, 2].map(() => send(`${url}/v1/traces`, protobuf(body)))));
    // Before: +738 MB to +1,558 MB, and GET / waited 4 to 13 s.
    expect(peakRss(cli.pid) - baseline).toBeLessThan(400 * MiB);
    expect(slowestGetMs).toBeLessThan(3_000);
    expect(answers.map((a) => a.status)).toEqual([413, 413, 413]);
  });

  it('still takes a body of real spans, and serves GET / while it decodes it', async () => {
    const spans = await simpleSpans(8_000, { 'service.name': 'bounded', 'service.instance.id': 'real' });
    const body = Buffer.from(toProtobuf(spans));
    const { result: answer } = await whilePolling(url, () => send(`${url}/v1/traces`, protobuf(body)));
    expect(answer.status).toBe(200);
    const summary = await send(`${url}/`, { method: 'GET' });
    expect(JSON.parse(summary.body.toString()).stats).toMatchObject({ spansReceived: 8_000, spansStored: 8_000 });
  });
});
