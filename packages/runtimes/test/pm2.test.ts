import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readEvents, reapLeftovers, tempDir, waitGone } from '../../../test-utils/processes';
import { assertBuilt, expectAtexitLifo, expectStartedOnce, FIXTURES, named, position, workerPids } from './helpers';

// PM2 needs no adapter: core's startWorker alone, under the real pm2 from npm, in cluster mode.
const PM2 = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'pm2');
const dir = tempDir('forkhooks-pm2-');
const home = join(dir.path, 'pm2-home');
const file = join(dir.path, 'events.jsonl');
const learned = new Set<number>();

async function pm2(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(PM2, args, {
    cwd: dir.path,
    env: { ...process.env, PM2_HOME: home, EVENTS_FILE: file },
    timeout: 20_000,
  });
  return stdout;
}

function daemonPid(): number | undefined {
  const pidFile = join(home, 'pm2.pid');
  return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
}

async function killDaemon(): Promise<void> {
  const pid = daemonPid();
  if (pid === undefined) return;
  learned.add(pid);
  await pm2('kill').catch(() => undefined);
}

beforeAll(assertBuilt);
afterAll(async () => {
  await killDaemon();
  const left = await reapLeftovers(learned);
  dir.cleanup();
  expect(left).toEqual([]);
});

test('PM2 cluster mode (-i 2): runtime pm2, slot from NODE_APP_INSTANCE, ready for wait_ready; stop by SIGINT or shutdown message runs atexit LIFO, exit 0', async () => {
  const app = (name: string, instances: number, extra: object): object => ({
    name,
    script: join(FIXTURES, 'pm2-app.js'),
    exec_mode: 'cluster',
    instances,
    wait_ready: true,
    listen_timeout: 15_000,
    kill_timeout: 5_000,
    autorestart: false,
    env: { EVENTS_FILE: file, FORKHOOKS_LOG: 'info' },
    ...extra,
  });
  writeFileSync(
    join(dir.path, 'ecosystem.config.json'),
    JSON.stringify({ apps: [app('fh-signal', 2, {}), app('fh-message', 1, { shutdown_with_message: true })] }),
  );
  try {
    await pm2('start', 'ecosystem.config.json');
    const list = JSON.parse(await pm2('jlist')) as Array<{ name: string; pid: number; pm2_env: { status: string; NODE_APP_INSTANCE: number } }>;
    expect(list.map((p) => [p.name, p.pm2_env.status]).sort()).toEqual([
      ['fh-message', 'online'],
      ['fh-signal', 'online'],
      ['fh-signal', 'online'],
    ]);
    const pids = list.map((p) => p.pid);
    pids.forEach((pid) => learned.add(pid));

    let events = readEvents(file);
    expect(workerPids(events).sort()).toEqual([...pids].sort());
    for (const { pid, name, pm2_env } of list) {
      const postfork = expectStartedOnce(events, (e) => e.pid === pid);
      const main = named(events, 'main', (e) => e.pid === pid)[0]!;
      expect(postfork).toMatchObject({ runtime: 'pm2', workerIndex: pm2_env.NODE_APP_INSTANCE, generation: 0 });
      expect(main.nodeAppInstance).toBe(String(postfork.workerIndex));
      expect(name === 'fh-signal' ? [0, 1] : [0]).toContain(postfork.workerIndex);
      // 'ready' went to PM2 once main had resolved, and PM2 waited for it (wait_ready) before 'online'.
      const sent = named(events, 'sent-ready', (e) => e.pid === pid);
      expect(sent).toHaveLength(1);
      expect(position(events, (e) => e === sent[0])).toBeGreaterThan(position(events, (e) => e === main));
    }
    expect(named(events, 'prefork')).toEqual([]); // PM2's daemon is not ours: no prefork there

    await pm2('stop', 'all');
    events = readEvents(file);
    for (const { pid, name } of list) expectAtexitLifo(events, (e) => e.pid === pid, name === 'fh-signal' ? 'signal' : 'message');
    const exits = readFileSync(join(home, 'pm2.log'), 'utf8').match(/App \[fh-[a-z]+:\d+\] exited with code \[\d+\]/g) ?? [];
    expect(exits.map((line) => line.replace(/.*code \[(\d+)\]/, '$1'))).toEqual(['0', '0', '0']);
    expect(await waitGone(pids)).toEqual([]);
  } finally {
    const pid = daemonPid();
    await killDaemon();
    if (pid !== undefined) expect(await waitGone([pid])).toEqual([]);
  }
});
