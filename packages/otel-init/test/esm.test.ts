import { basename, join } from 'node:path';
import { freePort, httpGet } from '../../../test-utils/http';
import { expectManualUnderServer } from './manual-spans';
import { startNode, waitGone, type NodeProcess } from '../../../test-utils/processes';
import { useReceiver } from './receiver-fixture';

// A real ESM app ("type": "module", a named `import { createServer } from 'node:http'`) under
// runCluster, 2 workers, exporting to the real receiver on 127.0.0.1.
const APP_DIR = join(__dirname, 'fixtures', 'esm-app');
const APP = join(APP_DIR, 'app.js');
const REGISTER = ['--import', '@forkhooks/otel-init/register'];

async function readyPids(proc: NodeProcess): Promise<number[]> {
  const lines = await Promise.all([0, 1].map((index) => proc.waitFor(new RegExp(`ready index=${index} pid=\\d+`), 30_000)));
  return lines.map((line) => Number(/pid=(\d+)/.exec(line)?.[1]));
}

/** 20 requests, until both workers answered; returns the pids that answered. */
async function traffic(port: number): Promise<Set<number>> {
  const servedBy = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const reply = await httpGet(`http://127.0.0.1:${port}/hello?i=${i}`);
    expect(reply.status).toBe(200);
    servedBy.add(Number(reply.headers['x-served-by']));
  }
  return servedBy;
}

describe('an ESM app under runCluster', () => {
  const pids: number[] = [];
  const receiver = useReceiver({ pids });

  it('node --import @forkhooks/otel-init/register: http server spans from every worker, each with the manual span as its child, no warning', async () => {
    const port = await freePort();
    const proc = startNode(APP, { nodeArgs: REGISTER, cwd: APP_DIR, env: { PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url } });
    const workers = await readyPids(proc);
    pids.push(...workers);
    const servedBy = await traffic(port);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone(workers)).toEqual([]);

    const server = expectManualUnderServer(receiver().spans(), 20);
    expect(server.map((s) => s.name)).toEqual(Array(20).fill('GET'));
    // Every worker that answered sent its server spans.
    expect(new Set(server.map((s) => Number(s.resource['process.pid'])))).toEqual(servedBy);
    expect(servedBy).toEqual(new Set(workers));
    const stderr = proc.stderr();
    expect(stderr).not.toMatch(/ExperimentalWarning/);
    expect(stderr).not.toMatch(/is an ES module/);
    expect(stderr).not.toMatch(/\[forkhooks warn/);
  });

  it.each([
    ['--require @forkhooks/otel-init/register (the CommonJS entry: no loader hook)', APP, ['--require', '@forkhooks/otel-init/register'], "OpenTelemetry's ESM loader hook is not registered"],
    [
      "import '@forkhooks/otel-init/register' as the entry's first import",
      join(APP_DIR, 'import-register-first.js'),
      [],
      "@forkhooks/otel-init/register was imported from inside the app's ES modules, after their imports were loaded",
    ],
  ])('%s: no server span, and one warning per worker after postfork naming node --import', async (_name, entry, nodeArgs, why) => {
    const port = await freePort();
    const proc = startNode(entry, { nodeArgs, cwd: APP_DIR, env: { PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url } });
    const workers = await readyPids(proc);
    pids.push(...workers);
    await traffic(port);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);

    // What the warning is about: the manual spans arrive, the http server spans do not.
    expect(receiver().spans().filter((s) => s.name === 'manual')).toHaveLength(20);
    expect(receiver().spans().filter((s) => s.kind === 'server')).toEqual([]);
    const warnings = proc.stderr().split('\n').filter((line) => /is an ES module/.test(line));
    expect(warnings).toHaveLength(2);
    for (const pid of workers) {
      expect(warnings.filter((line) => line.includes(`pid=${pid}]`))).toEqual([
        expect.stringContaining(`${entry} is an ES module and ${why}: its http and framework calls make no spans; start it with node --import @forkhooks/otel-init/register ${basename(entry)} (or NODE_OPTIONS=`),
      ]);
    }
  });

  it.each([
    ['--import @forkhooks/otel-init/register and OTEL_NODE_ENABLED_INSTRUMENTATIONS=http,express', REGISTER, { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express' }],
    ["--import ./tracing.mjs (register, enableInstrumentations([express]), await esmHookReady())", ['--import', './tracing.mjs'], {}],
  ])('an ESM Express app with %s: the route in the server span name', async (_name, nodeArgs, env) => {
    const port = await freePort();
    const proc = startNode(join(APP_DIR, 'express.js'), {
      nodeArgs,
      cwd: APP_DIR,
      env: { PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, ...env },
    });
    pids.push(Number((await proc.waitFor(/ready index=0 pid=\d+/, 30_000)).split('pid=')[1]));
    for (let n = 0; n < 3; n++) expect((await httpGet(`http://127.0.0.1:${port}/fibonacci?n=${n}`)).body).toBe(`n=${n}`);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(receiver().spans().filter((s) => s.kind === 'server').map((s) => s.name)).toEqual(Array(3).fill('GET /fibonacci'));
    expect(proc.stderr()).not.toMatch(/\[forkhooks warn/);
  });

  it('an ESM Express app with the CommonJS register (--require): express is loaded but unpatched, and one warning after postfork says so, with the fix', async () => {
    const port = await freePort();
    const proc = startNode(join(APP_DIR, 'express.js'), {
      nodeArgs: ['--require', '@forkhooks/otel-init/register'],
      cwd: APP_DIR,
      env: { PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express' },
    });
    pids.push(Number((await proc.waitFor(/ready index=0 pid=\d+/, 30_000)).split('pid=')[1]));
    expect((await httpGet(`http://127.0.0.1:${port}/fibonacci?n=1`)).status).toBe(200);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(receiver().spans().filter((s) => s.name === 'GET /fibonacci')).toEqual([]);
    const late = proc.stderr().split('\n').filter((line) => /loaded but not patched/.test(line));
    expect(late).toEqual([expect.stringMatching(/express \(@opentelemetry\/instrumentation-express\) loaded but not patched by its instrumentation .*: its calls make no spans; enable it before the app's imports/)]);
  });
});
