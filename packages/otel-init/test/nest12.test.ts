import { join } from 'node:path';
import { installFixture } from '../../../test-utils/fixture-install';
import { freePort, httpGet } from '../../../test-utils/http';
import { startNode, waitGone } from '../../../test-utils/processes';
import { expectManualUnderServer } from './manual-spans';
import { useReceiver } from './receiver-fixture';

// An ESM-only framework: NestJS 12 (engines node >= 20), installed with its own dependencies into a
// cached temp folder (the repo's other tests use NestJS 11, CommonJS), run under runCluster.
const MANIFEST = {
  private: true,
  type: 'module',
  dependencies: { '@nestjs/common': '12.5.1', '@nestjs/core': '12.5.1', '@nestjs/platform-express': '12.5.1', 'reflect-metadata': '0.2.2', rxjs: '7.8.2' },
};

describe('NestJS 12 (ESM-only) with node --import @forkhooks/otel-init/register', () => {
  let dir: string;
  const pids: number[] = [];
  const receiver = useReceiver({ pids });
  beforeAll(async () => {
    dir = await installFixture('nest12', MANIFEST, [join(__dirname, 'fixtures', 'nest12', 'app.js')]);
  }, 300_000);

  it('http server spans from both workers, each with the controller’s manual span as its child, and no warning', async () => {
    const port = await freePort();
    const proc = startNode(join(dir, 'app.js'), {
      nodeArgs: ['--import', '@forkhooks/otel-init/register'],
      cwd: dir,
      env: { PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url },
    });
    const workers = await Promise.all([0, 1].map(async (i) => Number((await proc.waitFor(new RegExp(`ready index=${i} pid=\\d+`), 60_000)).split('pid=')[1])));
    pids.push(...workers);
    const servedBy = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const reply = await httpGet(`http://127.0.0.1:${port}/hello`);
      expect(reply.status).toBe(200);
      servedBy.add(reply.body.replace('hello from ', ''));
    }
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone(workers)).toEqual([]);

    const server = expectManualUnderServer(receiver().spans(), 20);
    expect(new Set(server.map((s) => String(s.resource['process.pid'])))).toEqual(servedBy);
    expect(servedBy).toEqual(new Set(workers.map(String)));
    expect(proc.stderr()).not.toMatch(/\[forkhooks warn|ExperimentalWarning/);
  });
});
