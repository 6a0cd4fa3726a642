import { fork } from 'node:child_process';
import { join } from 'node:path';
import { reapLeftovers, runNode } from '../../../test-utils/processes';
import { HookRegistry, InvalidEnvironmentError, REPORT_MARGIN, buildContext, detectRuntime, type HookContext } from '../src';
import { timeLeft } from '../src/manager';
import { testContext } from './helpers';

const DETECT = join(__dirname, 'fixtures', 'detect-runtime.js');
/** No runtime hint inherited from whatever runs the tests (a PM2 or forkhooks parent). */
const PLAIN_ENV = { FORKHOOKS_RUNTIME: undefined, pm_id: undefined, NODE_APP_INSTANCE: undefined };

describe('context: runtime detection and environment', () => {
  afterAll(async () => {
    expect(await reapLeftovers()).toEqual([]);
  });

  // In a real process of its own: a jest test worker has an IPC channel to jest, so it is not standalone.
  it('detects standalone in a plain process (no IPC channel, no runtime variables)', async () => {
    const run = await runNode(DETECT, { env: PLAIN_ENV, timeoutMs: 10_000 });
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: 'standalone\n' });
  });

  it('detects child_process in a process forked with an IPC channel', async () => {
    const child = fork(DETECT, [], { env: { ...process.env, ...PLAIN_ENV }, stdio: 'ignore' });
    const said = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('message', resolve);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`detect-runtime exited (${String(code)}) without a message`));
      });
    });
    expect(said).toEqual({ runtime: 'child_process' });
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  });

  it('detects PM2 first, from pm_id or NODE_APP_INSTANCE, and takes the slot from NODE_APP_INSTANCE', () => {
    expect(detectRuntime({ pm_id: '4' })).toBe('pm2');
    expect(detectRuntime({ NODE_APP_INSTANCE: '1' })).toBe('pm2');
    const ctx = buildContext({}, { pm_id: '4', NODE_APP_INSTANCE: '1', restart_time: '2' });
    expect(ctx).toMatchObject({ runtime: 'pm2', workerIndex: 1, generation: 2, primaryPid: process.ppid });
    // PM2's instance_var renames the slot variable.
    expect(buildContext({}, { pm_id: '4', instance_var: 'SLOT', SLOT: '3' }).workerIndex).toBe(3);
  });

  it('takes the slot a forkhooks manager passed in FORKHOOKS_* variables', () => {
    const ctx = buildContext(
      {},
      { FORKHOOKS_RUNTIME: 'cluster', FORKHOOKS_WORKER_INDEX: '3', FORKHOOKS_GENERATION: '2', FORKHOOKS_WORKER_ID: 'w-7', FORKHOOKS_PRIMARY_PID: '42' },
    );
    expect(ctx).toEqual({ runtime: 'cluster', workerIndex: 3, generation: 2, workerId: 'w-7', pid: process.pid, primaryPid: 42, threadId: 0 });
  });

  it('lets explicit overrides win over the environment', () => {
    const ctx = buildContext({ runtime: 'custom', workerIndex: 9, primaryPid: undefined }, { FORKHOOKS_WORKER_INDEX: '3', FORKHOOKS_PRIMARY_PID: '42' });
    expect(ctx).toMatchObject({ runtime: 'custom', workerIndex: 9, primaryPid: undefined });
  });

  it.each([
    ['FORKHOOKS_WORKER_INDEX', 'abc', /FORKHOOKS_WORKER_INDEX="abc" is not valid: expected an integer >= 0/],
    ['FORKHOOKS_WORKER_INDEX', '-1', /FORKHOOKS_WORKER_INDEX="-1"/],
    ['FORKHOOKS_GENERATION', '1.5', /FORKHOOKS_GENERATION="1.5"/],
    ['FORKHOOKS_RUNTIME', 'kubernetes', /FORKHOOKS_RUNTIME="kubernetes" is not valid: expected cluster \| child_process/],
    ['NODE_APP_INSTANCE', 'zero', /NODE_APP_INSTANCE="zero"/],
  ])('names a bad %s=%s', (variable, value, message) => {
    let error: unknown;
    try {
      buildContext({}, { [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    expect(error).toMatchObject({ variable, code: 'FORKHOOKS_ERR_INVALID_ENV' });
    expect((error as Error).message).toMatch(message);
  });

  it("leaves the stop's fields to the stop: ContextOverrides takes neither stopSignal nor timeLeft", () => {
    // @ts-expect-error the signal that began a stop is set by the stop, not by a caller
    const a = buildContext({ stopSignal: 'SIGTERM' }, {});
    // @ts-expect-error timeLeft is set for each hook by the registry
    const b = buildContext({ timeLeft: () => 1 }, {});
    expect(a).not.toHaveProperty('stopSignal');
    expect(b).not.toHaveProperty('timeLeft');
  });

  it("gives every hook ctx.timeLeft (what is left of its own deadlineAt) and an atexit hook the stop's signal", async () => {
    const registry = new HookRegistry();
    const seen: Array<{ ctx: HookContext; now: number; left: number; less: number }> = [];
    registry.add('atexit', (ctx) => void seen.push({ ctx, now: Date.now(), left: ctx.timeLeft(), less: ctx.timeLeft((l) => l / 2) }), { name: 'flush', timeoutMs: 400 });
    await registry.run('atexit', testContext({ reason: 'signal', stopSignal: 'SIGTERM', deadlineAt: Date.now() + 10_000 }));
    const [{ ctx, now, left, less }] = seen as [(typeof seen)[0]];
    expect(ctx.stopSignal).toBe('SIGTERM');
    // Its own timeoutMs (400 ms) is less than the share of the deadline: deadlineAt is 400 ms after it started.
    expect(ctx.deadlineAt! - now).toBeLessThanOrEqual(400);
    expect(ctx.deadlineAt! - now).toBeGreaterThan(350);
    expect(left).toBeLessThanOrEqual(ctx.deadlineAt! - now);
    expect(left).toBeGreaterThan(ctx.deadlineAt! - now - 20);
    expect(less).toBeLessThanOrEqual(left / 2 + 1);
    expect(less).toBeGreaterThan(left / 2 - 20);
  });

  it('keeps back REPORT_MARGIN for a hook that must say what it lost: a tenth of what is left, at most 250 ms', () => {
    const now = Date.now();
    // Fixed deadlines far from "now" so that a few ms of test time cannot move the expected band.
    const short = timeLeft(now + 1_000, REPORT_MARGIN);
    const long = timeLeft(now + 10_000, REPORT_MARGIN);
    expect(short).toBeLessThanOrEqual(900);
    expect(short).toBeGreaterThan(880);
    expect(long).toBeLessThanOrEqual(9_750);
    expect(long).toBeGreaterThan(9_730);
    // Never 0 or negative: a budget handed to a timer.
    expect(timeLeft(now - 5, REPORT_MARGIN)).toBe(1);
  });
});
