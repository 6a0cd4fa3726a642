import { join } from 'node:path';
import { freePort, httpGet } from '../../../test-utils/http';
import { reapLeftovers, startNode, waitGone } from '../../../test-utils/processes';
import { sleep } from '../../../test-utils/time';

// The README's run command, driven as a user would: start, wait, send traffic, Ctrl-C, read the last line.
const DEMO = join(__dirname, '..', 'dist', 'demo.js');

describe('npm start: the traced cluster demo', () => {
  afterAll(async () => expect(await reapLeftovers()).toEqual([]));

  it('serves 100 requests over 2 workers and, on SIGINT, reports every span received with 0 lost', async () => {
    const port = await freePort();
    const demo = startNode(DEMO, { env: { PORT: String(port), FORKHOOKS_LOG: 'warn' } });
    await demo.waitFor(/worker 0 .* serving/);
    await demo.waitFor(/worker 1 .* serving/);

    const servedBy = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const reply = await httpGet(`http://127.0.0.1:${port}/fibonacci?n=${i % 20}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatch(/^F\(\d+\) is: \(\d+\)\n$/);
      servedBy.add(String(reply.headers['x-served-by']));
    }
    expect(servedBy.size).toBe(2);

    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    expect(code).toBe(0);
    const final = demo.stdout().trim().split('\n').pop() ?? '';
    const match = /^received (\d+) spans from (\d+) workers \((-?\d+) lost\); metrics: (\d+) requests counted$/.exec(final);
    expect(match).not.toBeNull();
    const [, received, workers, lost, counted] = match as RegExpExecArray;
    // The workers' counters, final export at atexit included, equal the requests served.
    expect(Number(counted)).toBe(100);
    expect(Number(received)).toBeGreaterThanOrEqual(300);
    expect(Number(workers)).toBe(2);
    expect(Number(lost)).toBe(0);
    expect(await waitGone([...servedBy].map(Number))).toEqual([]);
  });

  it('after a worker is SIGKILLed right after its requests, the last line is a true lower bound: "at least N lost; 1 worker was killed before it could report"', async () => {
    const port = await freePort();
    const demo = startNode(DEMO, { env: { PORT: String(port), FORKHOOKS_LOG: 'warn' } });
    await demo.waitFor(/worker 0 .* serving/);
    await demo.waitFor(/worker 1 .* serving/);
    const servedBy = new Map<number, number>();
    for (let i = 0; i < 40; i++) {
      const reply = await httpGet(`http://127.0.0.1:${port}/fibonacci?n=${i % 15}`);
      expect(reply.status).toBe(200);
      const pid = Number(reply.headers['x-served-by']);
      servedBy.set(pid, (servedBy.get(pid) ?? 0) + 1);
    }
    // The busiest worker dies before its batch (1 s) is exported: its count is unknown, not zero.
    const [victim] = [...servedBy.entries()].sort((a, b) => b[1] - a[1])[0]!;
    process.kill(victim, 'SIGKILL');
    // Its slot is respawned; wait for the replacement before stopping.
    const deadline = Date.now() + 30_000;
    while ((demo.stdout().match(/ serving http/g) ?? []).length < 3) {
      if (Date.now() > deadline) throw new Error(`no replacement worker within 30 s:\n${demo.stdout()}\n${demo.stderr()}`);
      await sleep(50);
    }

    demo.child.kill('SIGINT');
    expect((await demo.exited).code).toBe(0);
    const final = demo.stdout().trim().split('\n').pop() ?? '';
    const match = /^received (\d+) spans from (\d+) workers? \(at least (\d+) lost; 1 worker was killed before it could report\); metrics: (\d+) requests counted$/.exec(final);
    expect([final, match !== null]).toEqual([final, true]);
    const [, received, , lost] = match as RegExpExecArray;
    // The survivor's spans arrived, and nothing is counted below zero.
    expect(Number(received)).toBeGreaterThan(0);
    expect(Number(lost)).toBeGreaterThanOrEqual(0);
    expect(await waitGone([...servedBy.keys()])).toEqual([]);
  });

  it('answers bad n with a 400 that says why, and keeps serving', async () => {
    const port = await freePort();
    const demo = startNode(DEMO, { env: { PORT: String(port), WORKERS: '1', FORKHOOKS_LOG: 'warn' } });
    await demo.waitFor(/worker 0 .* serving/);
    const cases: Array<[string, RegExp]> = [
      ['/fibonacci', /missing query parameter n/],
      ['/fibonacci?n=-3', /n must be 0 or more, got -3/],
      ['/fibonacci?n=ten', /n must be a whole number, got "ten"/],
      ['/fibonacci?n=2.5', /n must be a whole number/],
      ['/fibonacci?n=90', /n must be at most 35/],
    ];
    for (const [path, message] of cases) {
      const reply = await httpGet(`http://127.0.0.1:${port}${path}`);
      expect([path, reply.status]).toEqual([path, 400]);
      expect(reply.body).toMatch(message);
    }
    expect((await httpGet(`http://127.0.0.1:${port}/healthz`)).body).toBe('ok\n');
    expect((await httpGet(`http://127.0.0.1:${port}/fibonacci?n=10`)).body).toBe('F(10) is: (55)\n');
    demo.child.kill('SIGINT');
    expect((await demo.exited).code).toBe(0);
  });

  it.each([
    [{ WORKERS: '0' }, /WORKERS="0" is not valid: use a whole number from 1 to 64/],
    [{ WORKERS: 'abc' }, /WORKERS="abc" is not valid/],
    [{ PORT: 'http' }, /PORT="http" is not a port number/],
  ])('refuses bad settings %p with one clear line', async (env, message) => {
    const demo = startNode(DEMO, { env });
    const { code } = await demo.exited;
    expect(code).toBe(2);
    expect(demo.stderr()).toMatch(message);
  });
});
