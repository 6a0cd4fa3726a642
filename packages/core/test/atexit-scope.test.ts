import { HookRegistry, InvalidHookOptionError, type AtexitScope } from '../src';
import { testContext } from './helpers';

/** A registry with one atexit hook per scope (and one with none), recording which ran. */
function scopedRegistry(): { registry: HookRegistry; ran: string[] } {
  const registry = new HookRegistry();
  const ran: string[] = [];
  registry.add('atexit', () => void ran.push('default'), { name: 'default' });
  for (const scope of ['worker', 'primary', 'all'] as AtexitScope[]) {
    registry.add('atexit', () => void ran.push(scope), { name: scope, scope });
  }
  return { registry, ran };
}

describe('atexit scope: where teardown runs', () => {
  it('a worker (postfork ran here) runs default, worker and all hooks, never primary ones', async () => {
    const { registry, ran } = scopedRegistry();
    await registry.run('postfork', testContext({ runtime: 'cluster' }));
    const report = await registry.run('atexit', testContext({ runtime: 'cluster' }));
    expect(ran.sort()).toEqual(['all', 'default', 'worker']);
    expect(report.results.map((r) => r.name).sort()).toEqual(['all', 'default', 'worker']);
  });

  it('a primary (role primary) runs only primary and all hooks', async () => {
    const { registry, ran } = scopedRegistry();
    const report = await registry.run('atexit', testContext({ runtime: 'cluster', role: 'primary' }));
    expect(ran.sort()).toEqual(['all', 'primary']);
    expect(report.results).toHaveLength(2);
  });

  it('a process where only prefork ran is a primary without being told', async () => {
    const { registry, ran } = scopedRegistry();
    await registry.run('prefork', testContext({ runtime: 'cluster' }));
    await registry.run('atexit', testContext({ runtime: 'cluster' }));
    expect(ran.sort()).toEqual(['all', 'primary']);
  });

  it('a standalone process (prefork and postfork ran in it) runs every hook, in LIFO order', async () => {
    const { registry, ran } = scopedRegistry();
    await registry.run('prefork', testContext());
    await registry.run('postfork', testContext());
    await registry.run('atexit', testContext());
    expect(ran).toEqual(['all', 'primary', 'worker', 'default']);
  });

  it('an explicit role wins over what ran (a worker told it is one)', async () => {
    const { registry, ran } = scopedRegistry();
    await registry.run('atexit', testContext({ role: 'worker' }));
    expect(ran.sort()).toEqual(['all', 'default', 'worker']);
  });

  it('gives the hooks left in scope the whole deadline share (out-of-scope hooks take none)', async () => {
    const registry = new HookRegistry();
    for (let i = 0; i < 5; i++) registry.add('atexit', () => undefined, { name: `primary-${i}`, scope: 'primary' });
    let timeoutMs = 0;
    registry.add('atexit', async (ctx) => {
      const started = Date.now();
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      timeoutMs = Date.now() - started;
    }, { name: 'worker-hook', timeoutMs: 60_000 });
    await registry.run('postfork', testContext());
    await registry.run('atexit', testContext({ role: 'worker', deadlineAt: Date.now() + 600 }));
    // Alone in its run, it gets (about) all 600 ms, not a sixth of them.
    expect(timeoutMs).toBeGreaterThan(300);
  });
});

describe('atexit scope: validation', () => {
  it.each([['prefork'], ['postfork']] as const)('rejects scope on a %s hook, naming the allowed values', (phase) => {
    const registry = new HookRegistry();
    expect(() => registry.add(phase, function init() {}, { scope: 'primary' })).toThrow(InvalidHookOptionError);
    expect(() => registry.add(phase, function init() {}, { scope: 'primary' })).toThrow(
      `invalid scope for hook "init": scope applies only to atexit hooks ('worker', 'primary', 'all'); a ${phase} hook runs where its phase runs, so remove scope from it`,
    );
  });

  it('rejects an unknown scope, naming the allowed values', () => {
    const registry = new HookRegistry();
    const bad = { scope: 'master' as unknown as AtexitScope };
    expect(() => registry.add('atexit', function close() {}, bad)).toThrow(
      `invalid scope for hook "close": scope must be one of 'worker', 'primary', 'all', got "master"`,
    );
    expect(registry.hooks('atexit')).toHaveLength(0);
  });

  it("defaults an atexit hook's scope to worker and leaves prefork/postfork without one", () => {
    const registry = new HookRegistry();
    registry.add('atexit', () => undefined, { name: 'a' });
    registry.add('postfork', () => undefined, { name: 'p' });
    expect(registry.hooks('atexit')[0]!.scope).toBe('worker');
    expect(registry.hooks('postfork')[0]!.scope).toBeUndefined();
  });
});
