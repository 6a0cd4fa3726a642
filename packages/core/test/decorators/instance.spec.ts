import { HookRegistry, atexit, postfork, registry, type HookContext } from '../../src';
import { testContext } from '../helpers';
import { decoratorMode } from './mode';

const calls: string[] = [];

class Exporter {
  constructor(readonly id: string) {}

  @postfork({ order: 1 }) connect(ctx: HookContext): void {
    calls.push(`${this.id}:connect:${ctx.workerIndex}`);
  }

  @atexit async flush(ctx: HookContext): Promise<void> {
    await Promise.resolve();
    calls.push(`${this.id}:flush:${ctx.reason ?? ''}`);
  }
}

class AuditedExporter extends Exporter {
  @postfork({ name: 'audit' }) audit(): void {
    calls.push(`${this.id}:audit`);
  }
}

describe(`decorators on instance methods (${decoratorMode()} decorators)`, () => {
  const added = new Exporter('a');
  const notAdded = new Exporter('never');
  const sub = new AuditedExporter('sub');

  it('registers nothing until addInstance', () => {
    void notAdded;
    expect(registry.hooks('postfork')).toHaveLength(0);
    expect(registry.hooks('atexit')).toHaveLength(0);
  });

  it('registers the instance methods bound to the instance, named Class.method', () => {
    registry.addInstance(added);
    registry.addInstance(sub);
    registry.addInstance(sub); // a second add is a no-op
    expect(registry.hooks('postfork').map((h) => h.name)).toEqual(['audit', 'Exporter.connect', 'AuditedExporter.connect']);
    expect(registry.hooks('atexit').map((h) => h.name)).toEqual(['AuditedExporter.flush', 'Exporter.flush']);
  });

  it('runs only on added instances', async () => {
    await registry.run('postfork', testContext({ workerIndex: 1 }));
    await registry.run('atexit', testContext({ reason: 'disconnect' }));
    expect(calls).toEqual(['sub:audit', 'a:connect:1', 'sub:connect:1', 'sub:flush:disconnect', 'a:flush:disconnect']);
    expect(calls.some((c) => c.startsWith('never'))).toBe(false);
  });

  it('can add an instance to another registry and unregister it', () => {
    const other = new HookRegistry();
    const undo = other.addInstance(new Exporter('other'));
    expect(other.hooks('postfork').map((h) => h.name)).toEqual(['Exporter.connect']);
    undo();
    expect(other.hooks('postfork')).toHaveLength(0);
  });

  it('says what is wrong when an object has no decorated methods', () => {
    expect(() => registry.addInstance(new (class Plain {})())).toThrow(
      /registry.addInstance: Plain has no @prefork\/@postfork\/@atexit instance methods/,
    );
  });
});
