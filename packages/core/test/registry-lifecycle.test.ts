import { HookRegistry, LateHookError } from '../src';
import { testContext } from './helpers';

describe('registry: once, when, run-once phases and late hooks', () => {
  it('reports a hook whose when(ctx) is false as skipped', async () => {
    const registry = new HookRegistry();
    const ran: number[] = [];
    registry.add('postfork', (ctx) => void ran.push(ctx.workerIndex), { name: 'only-0', when: (ctx) => ctx.workerIndex === 0 });
    const report = await registry.run('postfork', testContext({ workerIndex: 1 }));
    expect(ran).toEqual([]);
    expect(report.results).toEqual([expect.objectContaining({ name: 'only-0', status: 'skipped' })]);
  });

  it('runs prefork once per spawn, and a once hook only on the first', async () => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    registry.add('prefork', (ctx) => void ran.push(`every:${ctx.workerIndex}`), { name: 'every' });
    registry.add('prefork', (ctx) => void ran.push(`once:${ctx.workerIndex}`), { name: 'first-only', once: true });
    await registry.run('prefork', testContext({ workerIndex: 0 }));
    const second = await registry.run('prefork', testContext({ workerIndex: 1 }));
    expect(ran).toEqual(['every:0', 'once:0', 'every:1']);
    expect(second.results.map((r) => [r.name, r.status])).toEqual([
      ['every', 'ok'],
      ['first-only', 'skipped'],
    ]);
  });

  it('runs postfork and atexit at most once: a second run returns the first result', async () => {
    const registry = new HookRegistry();
    let count = 0;
    registry.add('postfork', () => void count++);
    registry.add('atexit', () => void count++);
    const first = registry.run('postfork', testContext());
    const second = registry.run('postfork', testContext());
    expect(second).toBe(first);
    await first;
    const exit1 = await registry.run('atexit', testContext());
    const exit2 = await registry.run('atexit', testContext());
    expect(exit2).toBe(exit1);
    expect(count).toBe(2);
  });

  it('throws LateHookError when a hook is added for a phase that already ran', async () => {
    const registry = new HookRegistry();
    await registry.run('postfork', testContext());
    let error: unknown;
    try {
      registry.add('postfork', function lateInit() {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LateHookError);
    expect(error).toMatchObject({ phase: 'postfork', hookName: 'lateInit', code: 'FORKHOOKS_ERR_LATE_HOOK' });
    expect((error as Error).message).toMatch(/after postfork already ran .* so it would never run; import the module/);
    // atexit has not run yet: adding one is fine.
    expect(() => registry.add('atexit', () => undefined)).not.toThrow();
  });

  it('signals shutdown once', () => {
    const registry = new HookRegistry();
    expect(registry.shutdownSignal.aborted).toBe(false);
    registry.beginShutdown(new Error('first'));
    registry.beginShutdown(new Error('second'));
    expect(registry.shutdownSignal.aborted).toBe(true);
    expect((registry.shutdownSignal.reason as Error).message).toBe('first');
  });
});

describe('registry: a long-lived primary', () => {
  it('leaves no listener behind after many prefork runs (one per spawn)', async () => {
    const registry = new HookRegistry();
    registry.add('prefork', async () => undefined, { name: 'async' });
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.message);
    process.on('warning', onWarning);
    for (let i = 0; i < 50; i++) await registry.run('prefork', testContext({ workerIndex: i }));
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings.filter((w) => /listener/i.test(w))).toEqual([]);
  });
});
