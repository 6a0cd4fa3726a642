import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePortRun, httpGet } from '../../test-utils/http';
import { reapLeftovers, startNode, waitGone } from '../../test-utils/processes';

// Every other example, started as its npm script starts it (`node main.js`), a few requests to
// each worker, Ctrl-C, and the demo's last line: every span of every worker arrived.
const examples: Array<[name: string, portPerWorker: boolean, startupMs: number]> = [
  ['worker-threads', true, 15_000],
  ['child-process', true, 15_000],
  ['throng', false, 15_000],
  ['pm2', false, 40_000],
];

describe.each(examples)('examples/%s', (name, portPerWorker, startupMs) => {
  afterAll(async () => expect(await reapLeftovers()).toEqual([]));

  it('runs from its npm script, traces each worker, and stops cleanly with 0 lost', async () => {
    const dir = join(__dirname, '..', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: { start: string } };
    expect(pkg.scripts.start).toBe('node main.js');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/^1\. .*\n(.|\n)*^2\. (.|\n)*^3\. /m);

    const port = await freePortRun(portPerWorker ? 2 : 1);
    const demo = startNode(join(dir, 'main.js'), { env: { PORT: String(port), FORKHOOKS_LOG: 'warn' }, cwd: dir });
    await demo.waitFor(/try curl/, startupMs);
    // PM2 keeps its instances' output in its own logs; `pm2 start` with wait_ready returned once they were ready.
    if (name !== 'pm2') for (const slot of [0, 1]) await demo.waitFor(new RegExp(`worker ${slot} .* serving`), startupMs);

    const pids = new Set<string>();
    const ports = portPerWorker ? [port, port + 1] : [port];
    for (let i = 0; i < 12; i++) {
      const target = ports[i % ports.length];
      const reply = await httpGet(`http://127.0.0.1:${target}/fibonacci?n=${5 + i}`);
      expect(reply.status).toBe(200);
      pids.add(String(reply.headers['x-served-by']));
    }
    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    expect(code).toBe(0);
    const final = /received (\d+) spans from (\d+) workers \((-?\d+) lost\)/.exec(demo.stdout());
    expect(final).not.toBeNull();
    const [, received, workers, lost] = final as RegExpExecArray;
    expect(Number(received)).toBeGreaterThanOrEqual(12 * 4); // http server span + root, fib_slow, fib_fast
    expect(Number(workers)).toBe(2);
    expect(Number(lost)).toBe(0);
    const processPids = [...pids].map(Number).filter((pid) => pid !== demo.pid);
    expect(await waitGone(processPids)).toEqual([]);
  });
});
