import { HookError, HookRegistry, LateHookError, atexit, configureLogger, postfork, prefork, type HookContext, type LogLevel } from '../../src';
import { testContext } from '../helpers';
import { decoratorMode } from './mode';

// A provider a DI framework (NestJS) builds inside the worker's main, after postfork ran.
class Pool {
  readonly calls: string[] = [];
  constructor(readonly failConnect = false) {}

  @postfork({ order: 2 }) async connect(ctx: HookContext): Promise<void> {
    await Promise.resolve();
    if (this.failConnect) throw new Error('database refused');
    this.calls.push(`connect:${ctx.phase}:${ctx.workerIndex}`);
  }

  @postfork({ order: 1 }) warm(): void {
    this.calls.push('warm');
  }

  @atexit end(ctx: HookContext): void {
    this.calls.push(`end:${ctx.reason ?? ''}`);
  }
}

class Scheduler {
  @prefork plan(): void {}
  @postfork start(): void {}
}

class BestEffort {
  @postfork({ critical: false }) metrics(): void {
    throw new Error('metrics down');
  }
}

function captureLog(): { lines: Array<[string, string]>; restore(): void } {
  const lines: Array<[string, string]> = [];
  configureLogger({ level: 'debug', sink: (level, message) => void lines.push([level, message]) });
  return { lines, restore: () => configureLogger({ level: (process.env.FORKHOOKS_LOG as LogLevel) || 'info', sink: (l, m) => void process.stderr.write(`[forkhooks ${l}] ${m}\n`) }) };
}

describe(`addInstance after postfork ran (${decoratorMode()} decorators)`, () => {
  it("runs the instance's postfork hooks at once, in order, with postfork's context, says so at debug, and registers its atexit", async () => {
    const registry = new HookRegistry();
    await registry.run('postfork', testContext({ workerIndex: 3 }));
    const log = captureLog();
    const pool = new Pool();
    let registration;
    try {
      registration = registry.addInstance(pool);
      const report = await registration.ready;
      expect(report.results.map((r) => [r.name, r.status])).toEqual([
        ['Pool.warm', 'ok'],
        ['Pool.connect', 'ok'],
      ]);
    } finally {
      log.restore();
    }
    expect(pool.calls).toEqual(['warm', 'connect:postfork:3']);
    expect(log.lines).toContainEqual(['debug', 'Pool was added after postfork ran: running its postfork hook(s) now: Pool.connect, Pool.warm']);
    expect(registry.hooks('postfork')).toHaveLength(0);
    expect(registry.hooks('atexit').map((h) => h.name)).toEqual(['Pool.end']);
    await registry.run('atexit', testContext({ reason: 'signal' }));
    expect(pool.calls).toEqual(['warm', 'connect:postfork:3', 'end:signal']);
    // The same object again: the same registration, nothing runs twice.
    expect(registry.addInstance(pool)).toBe(registration);
  });

  it('rejects ready with the HookError of a failing critical hook, and logs it', async () => {
    const registry = new HookRegistry();
    await registry.run('postfork', testContext());
    const log = captureLog();
    try {
      const { ready } = registry.addInstance(new Pool(true));
      await expect(ready).rejects.toBeInstanceOf(HookError);
      await expect(ready).rejects.toMatchObject({ phase: 'postfork', hookName: 'Pool.connect' });
    } finally {
      log.restore();
    }
    expect(log.lines.filter(([level]) => level === 'error').map(([, m]) => m)).toEqual([
      expect.stringMatching(/^postfork of Pool \(added after postfork ran\) failed: .*Pool\.connect.*database refused/),
    ]);
  });

  it('resolves ready when only a best-effort hook fails (reported, not thrown)', async () => {
    const registry = new HookRegistry();
    await registry.run('postfork', testContext());
    const report = await registry.addInstance(new BestEffort()).ready;
    expect(report.results).toEqual([expect.objectContaining({ name: 'BestEffort.metrics', status: 'failed' })]);
  });

  it('does not deadlock when a postfork hook itself adds an instance and awaits it', async () => {
    const registry = new HookRegistry();
    const pool = new Pool();
    registry.add('postfork', async () => {
      await registry.addInstance(pool).ready;
    }, { name: 'build-app' });
    await registry.run('postfork', testContext());
    expect(pool.calls).toEqual(['warm', 'connect:postfork:0']);
  });

  it('before postfork ran (a primary loading the same module), only registers, as before', async () => {
    const registry = new HookRegistry();
    const pool = new Pool();
    const { ready } = registry.addInstance(pool);
    await expect(ready).resolves.toEqual({ phase: 'postfork', results: [] });
    expect(pool.calls).toEqual([]);
    expect(registry.hooks('postfork').map((h) => h.name)).toEqual(['Pool.warm', 'Pool.connect']);
  });

  it('still throws LateHookError for a plain add after postfork, a prefork hook after prefork, after a failed postfork, and once shutdown began', async () => {
    const standalone = new HookRegistry();
    await standalone.run('prefork', testContext());
    await standalone.run('postfork', testContext());
    expect(() => standalone.add('postfork', function lateInit() {})).toThrow(LateHookError);
    expect(() => standalone.addInstance(new Scheduler())).toThrow(LateHookError);
    // Nothing of the refused instance stayed registered.
    expect(standalone.hooks('postfork')).toHaveLength(0);

    const failed = new HookRegistry();
    failed.add('postfork', () => {
      throw new Error('no config');
    }, { name: 'config' });
    await expect(failed.run('postfork', testContext())).rejects.toThrow(/no config/);
    expect(() => failed.addInstance(new Pool())).toThrow(LateHookError);

    const stopping = new HookRegistry();
    await stopping.run('postfork', testContext());
    stopping.beginShutdown();
    expect(() => stopping.addInstance(new Pool())).toThrow(LateHookError);
    // A primary (postfork never ran) whose teardown began: a postfork hook added now could never run.
    const primary = new HookRegistry();
    await primary.run('atexit', testContext({ role: 'primary' }));
    expect(() => primary.add('postfork', function afterExit() {})).toThrow(LateHookError);
    expect(() => new HookRegistry().addInstance(new Pool())).not.toThrow();
  });
});
