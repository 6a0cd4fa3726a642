import { atexit, postfork, prefork, registry, type HookContext } from '../../src';
import { testContext } from '../helpers';
import { decoratorMode } from './mode';

const calls: string[] = [];

// Every decorator form, declared once: bare `@postfork`, factory `@postfork()`, with options, on static
// methods, and the function forms `postfork(fn)` and `postfork(options, fn)`; registered at class
// definition / call time.
class Telemetry {
  static label = 'telemetry';

  @postfork static init(ctx: HookContext): void {
    calls.push(`bare:${ctx.phase}:${this.label}`);
  }

  @postfork() static init2(): void {
    calls.push('factory');
  }

  @postfork({ name: 'otel', order: -10, timeoutMs: 5000 }) static async init3(ctx: HookContext): Promise<void> {
    await Promise.resolve();
    calls.push(`options:${ctx.workerIndex}`);
  }

  @prefork static beforeSpawn(ctx: HookContext): void {
    calls.push(`prefork:${ctx.workerIndex}`);
  }

  @atexit({ order: -10 }) static flush(ctx: HookContext): void {
    calls.push(`atexit:${ctx.reason ?? ''}`);
  }

  @atexit static close(): void {
    calls.push('atexit:close');
  }
}

const initTracing = postfork(function initTracing(ctx) {
  calls.push(`fn:${ctx.runtime}`);
});
function late(): string {
  calls.push('fn-options');
  return 'late';
}
const returned = postfork({ order: 1, name: 'late-one' }, late);

describe(`decorators on static methods and functions (${decoratorMode()} decorators)`, () => {
  it('was compiled in the mode its jest project asks for', () => {
    expect(decoratorMode()).toBe((globalThis as { DECORATOR_MODE?: string }).DECORATOR_MODE);
  });

  it('returns plain functions unchanged', () => {
    expect(typeof initTracing).toBe('function');
    expect(initTracing.name).toBe('initTracing');
    expect(returned).toBe(late);
  });

  it('registers at definition, named Class.method or by the function name, in order', () => {
    expect(registry.hooks('postfork').map((h) => h.name)).toEqual([
      'otel',
      'Telemetry.init',
      'Telemetry.init2',
      'initTracing',
      'late-one',
    ]);
    expect(registry.hooks('postfork')[0]).toMatchObject({ order: -10, timeoutMs: 5000 });
    expect(registry.hooks('prefork').map((h) => h.name)).toEqual(['Telemetry.beforeSpawn']);
    expect(registry.hooks('atexit').map((h) => h.name)).toEqual(['Telemetry.close', 'Telemetry.flush']);
  });

  it('runs them with the class as `this` and the context, in phase order', async () => {
    await registry.run('prefork', testContext({ workerIndex: 2 }));
    await registry.run('postfork', testContext({ workerIndex: 2 }));
    await registry.run('atexit', testContext({ reason: 'signal' }));
    expect(calls).toEqual([
      'prefork:2',
      'options:2',
      'bare:postfork:telemetry',
      'factory',
      'fn:standalone',
      'fn-options',
      'atexit:close',
      'atexit:signal',
    ]);
    expect(Telemetry.label).toBe('telemetry');
  });
});
