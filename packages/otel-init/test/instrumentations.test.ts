import { join } from 'node:path';
import type { ReceivedSpan } from '@forkhooks/receiver';
import { httpGet } from '../../../test-utils/http';
import { isPgQuery, startPostgres, type Postgres } from '../../../test-utils/postgres';
import { startNode } from '../../../test-utils/processes';
import { useReceiver } from './receiver-fixture';

// Express and pg instrumentations against a real PostgreSQL (a private cluster on 127.0.0.1) and the
// real receiver: enabled at import the ecosystem's way, by the README's tracing file, and late.
const APP = join(__dirname, 'fixtures', 'express-pg.js');
const REQUESTS = 5;

/** Whether `span` descends from `ancestor`, through the spans received. */
function descendsFrom(span: ReceivedSpan, ancestor: ReceivedSpan, all: ReceivedSpan[]): boolean {
  for (let parent = all.find((s) => s.spanId === span.parentSpanId); parent; parent = all.find((s) => s.spanId === parent?.parentSpanId)) {
    if (parent.spanId === ancestor.spanId) return true;
  }
  return false;
}

describe('instrumentations beyond http, with a real PostgreSQL', () => {
  let postgres: Postgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 120_000);
  afterAll(() => postgres?.stop());
  const receiver = useReceiver();

  /** Starts the app in `mode`, sends REQUESTS requests, stops it with SIGTERM; returns its stderr. */
  async function run(mode: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
    const proc = startNode(APP, { env: { MODE: mode, PG_URL: postgres.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, ...env } });
    const port = (await proc.waitFor(/^listening \d+/, 30_000)).split(' ')[1];
    for (let n = 0; n < REQUESTS; n++) expect((await httpGet(`http://127.0.0.1:${port}/fibonacci?n=${n}`)).body).toBe(`next ${n + 1}`);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    return proc.stderr();
  }

  /** Every request: a server span named with its Express route, and its pg query span under it. */
  function expectRoutesAndQueries(): void {
    const spans = receiver().spans();
    const server = spans.filter((s) => s.kind === 'server');
    expect(server.map((s) => s.name)).toEqual(Array(REQUESTS).fill('GET /fibonacci'));
    const queries = spans.filter(isPgQuery);
    expect(queries).toHaveLength(REQUESTS);
    for (const request of server) {
      expect(queries.filter((q) => descendsFrom(q, request, spans))).toHaveLength(1);
    }
  }

  it('register with OTEL_NODE_ENABLED_INSTRUMENTATIONS=http,express,pg (auto-instrumentations-node installed): the route in the span name, pg spans under the request', async () => {
    const stderr = await run('env', { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express,pg' });
    expectRoutesAndQueries();
    expect(stderr).not.toMatch(/\[forkhooks warn/);
    expect(stderr).not.toMatch(/traces http only/);
  });

  it('register with OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg: routes, and no pg span', async () => {
    await run('env', { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express,pg', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg' });
    const spans = receiver().spans();
    expect(spans.filter((s) => s.kind === 'server').map((s) => s.name)).toEqual(Array(REQUESTS).fill('GET /fibonacci'));
    expect(spans.filter(isPgQuery)).toEqual([]);
  });

  it('register alone: http only (span named GET), and one info line saying how to enable more', async () => {
    const stderr = await run('env', { OTEL_NODE_ENABLED_INSTRUMENTATIONS: '', OTEL_NODE_DISABLED_INSTRUMENTATIONS: '' });
    const spans = receiver().spans();
    expect(spans.filter((s) => s.kind === 'server').map((s) => s.name)).toEqual(Array(REQUESTS).fill('GET'));
    expect(spans.filter(isPgQuery)).toEqual([]);
    expect(stderr.match(/traces http only; for more, set OTEL_NODE_ENABLED_INSTRUMENTATIONS \(e\.g\. http,express,pg\) with @opentelemetry\/auto-instrumentations-node installed, or call enableInstrumentations/g)).toHaveLength(1);
  });

  it("the README's tracing file (register + enableInstrumentations([express, pg]), required first): routes and pg spans, no warning", async () => {
    const stderr = await run('tracing-file');
    expectRoutesAndQueries();
    expect(stderr).not.toMatch(/\[forkhooks warn/);
  });

  it('register + initTracing({ instrumentations: [pg] }) in postfork, pg loaded before: one warning naming pg and the fix that works, never "different options"', async () => {
    const stderr = await run('late-loaded');
    const warnings = stderr.split('\n').filter((l) => l.includes('[forkhooks warn'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /initTracing: pg \(@opentelemetry\/instrumentation-pg\), pg-pool \(@opentelemetry\/instrumentation-pg\) already loaded before instrumentation was enabled: .*OTEL_NODE_ENABLED_INSTRUMENTATIONS=<names> with @forkhooks\/otel-init\/register .* or enableInstrumentations\(\[\.\.\.\]\) from '@forkhooks\/otel-init' in a tracing file the app imports first/,
      ),
    ]);
    expect(receiver().spans().filter(isPgQuery)).toEqual([]); // what the warning says
  });

  it('register + initTracing({ instrumentations: [pg] }) in postfork, pg loaded after: pg is enabled, not dropped', async () => {
    const stderr = await run('late-lazy');
    const spans = receiver().spans();
    const server = spans.filter((s) => s.kind === 'server');
    const queries = spans.filter(isPgQuery);
    expect(queries).toHaveLength(REQUESTS);
    for (const request of server) expect(queries.filter((q) => descendsFrom(q, request, spans))).toHaveLength(1);
    expect(stderr).not.toMatch(/\[forkhooks warn/);
  });
});
