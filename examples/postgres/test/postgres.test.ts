import { join } from 'node:path';
import { freePort, httpGet } from '../../../test-utils/http';
import { isPgQuery, startPostgres, type Postgres } from '../../../test-utils/postgres';
import { startNode, waitGone, type NodeProcess } from '../../../test-utils/processes';
import { useReceiver } from '../../../test-utils/receiver';
import { sleep } from '../../../test-utils/time';

// examples/postgres as `npm start` runs it (`node main.js`), against a private PostgreSQL cluster
// and a receiver of the test's own (OTEL_EXPORTER_OTLP_ENDPOINT), so the test sees every span.
const DIR = join(__dirname, '..');
const POOL_SIZE = 2;

/** Live connections of the example, by worker pid (from application_name), as PostgreSQL sees them. */
async function connectionsByPid(postgres: Postgres): Promise<Record<string, number>> {
  const rows = await postgres.query<{ pid: string; n: string }>(
    "SELECT substring(application_name FROM 'pid=(\\d+)') AS pid, count(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'forkhooks-example-postgres %' GROUP BY 1",
  );
  return Object.fromEntries(rows.map((r) => [r.pid, Number(r.n)]));
}

/** Polls until `expected` holds (a closed client's backend exits a moment later), or returns the last state. */
async function waitForConnections(postgres: Postgres, expected: Record<string, number>, timeoutMs = 15_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let now = await connectionsByPid(postgres);
  while (JSON.stringify(now) !== JSON.stringify(expected) && Date.now() < deadline) {
    await sleep(100);
    now = await connectionsByPid(postgres);
  }
  return now;
}

async function servingPid(proc: NodeProcess, index: number, generation: number): Promise<number> {
  const line = await proc.waitFor(new RegExp(`worker ${index} \\(pid \\d+, generation ${generation}\\) serving`), 30_000);
  return Number(/pid (\d+)/.exec(line)?.[1]);
}

describe('examples/postgres', () => {
  let postgres: Postgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 120_000);
  afterAll(() => postgres?.stop());
  const receiver = useReceiver();

  it('one pool per worker in pg_stat_activity; a SIGKILLed worker’s connections go and its replacement opens its own; none after SIGTERM; every query span is a child of its request span', async () => {
    const port = await freePort();
    const demo = startNode(join(DIR, 'main.js'), {
      cwd: DIR,
      env: { PORT: String(port), DATABASE_URL: postgres.url, POOL_SIZE: String(POOL_SIZE), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, FORKHOOKS_LOG: 'warn' },
    });
    const [first, second] = [await servingPid(demo, 0, 0), await servingPid(demo, 1, 0)];
    expect(await waitForConnections(postgres, { [first]: POOL_SIZE, [second]: POOL_SIZE })).toEqual({ [first]: POOL_SIZE, [second]: POOL_SIZE });

    const ask = async (count: number): Promise<Set<number>> => {
      const servedBy = new Set<number>();
      for (let i = 0; i < count; i++) {
        const reply = await httpGet(`http://127.0.0.1:${port}/fibonacci?n=${10 + (i % 5)}`);
        expect(reply.body).toBe(`F(${10 + (i % 5)}) is: (${[55, 89, 144, 233, 377][i % 5]})\n`);
        servedBy.add(Number(reply.headers['x-served-by']));
      }
      return servedBy;
    };
    expect(await ask(10)).toEqual(new Set([first, second]));
    // Exported on the 1 s schedule, before the kill loses what the killed worker still held.
    const waitForQueries = async (n: number): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (receiver().spans().filter(isPgQuery).length < n && Date.now() < deadline) await sleep(100);
    };
    await waitForQueries(10);

    process.kill(first, 'SIGKILL');
    const replacement = await servingPid(demo, 0, 1);
    expect(await waitGone([first])).toEqual([]);
    expect(await waitForConnections(postgres, { [replacement]: POOL_SIZE, [second]: POOL_SIZE })).toEqual({ [replacement]: POOL_SIZE, [second]: POOL_SIZE });
    expect(await ask(10)).toEqual(new Set([replacement, second]));

    demo.child.kill('SIGTERM');
    expect((await demo.exited).code).toBe(0);
    expect(await waitGone([second, replacement])).toEqual([]);
    expect(await waitForConnections(postgres, {})).toEqual({});
    expect(demo.stdout()).toMatch(/exported \d+ of \d+ spans ended by 2 workers to .* \(0 lost\)/);

    const spans = receiver().spans();
    const requests = spans.filter((s) => s.kind === 'server');
    const queries = spans.filter(isPgQuery);
    expect(requests).toHaveLength(20);
    expect(queries).toHaveLength(20);
    for (const request of requests) {
      expect(queries.filter((q) => q.parentSpanId === request.spanId && q.traceId === request.traceId)).toHaveLength(1);
    }
    // The one warning: the kill.
    expect(demo.stderr().trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^\\[forkhooks warn pid=${demo.pid}\\] worker 0 \\(pid ${first}\\) was killed by SIGKILL`))]);
  });

  it('refuses to start without DATABASE_URL, with one line saying what to set', async () => {
    const demo = startNode(join(DIR, 'main.js'), { cwd: DIR, env: { DATABASE_URL: '', FORKHOOKS_LOG: 'warn' } });
    expect((await demo.exited).code).toBe(2);
    expect(demo.stderr()).toMatch(/^error: DATABASE_URL is not set: point it at a PostgreSQL, e\.g\. DATABASE_URL=postgres:\/\//);
  });
});
