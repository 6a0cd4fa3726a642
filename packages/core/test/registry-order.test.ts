import { HookRegistry } from '../src';
import { sleep, testContext } from './helpers';

describe('registry: order', () => {
  it('runs hooks by ascending order, then registration order', async () => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    registry.add('postfork', () => void ran.push('b0'), { name: 'b0' });
    registry.add('postfork', () => void ran.push('a-10'), { name: 'a-10', order: -10 });
    registry.add('postfork', () => void ran.push('c0'), { name: 'c0' });
    registry.add('postfork', () => void ran.push('d5'), { name: 'd5', order: 5 });

    expect(registry.hooks('postfork').map((h) => h.name)).toEqual(['a-10', 'b0', 'c0', 'd5']);
    const report = await registry.run('postfork', testContext());
    expect(ran).toEqual(['a-10', 'b0', 'c0', 'd5']);
    expect(report.phase).toBe('postfork');
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['a-10', 'ok'],
      ['b0', 'ok'],
      ['c0', 'ok'],
      ['d5', 'ok'],
    ]);
  });

  it('runs atexit in reverse (LIFO) of that order', async () => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    registry.add('atexit', () => void ran.push('first'), { name: 'first' });
    registry.add('atexit', () => void ran.push('early'), { name: 'early', order: -10 });
    registry.add('atexit', () => void ran.push('second'), { name: 'second' });
    await registry.run('atexit', testContext({ reason: 'signal' }));
    expect(ran).toEqual(['second', 'first', 'early']);
  });

  it('awaits async hooks one at a time', async () => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    let running = 0;
    let maxRunning = 0;
    for (const [name, ms] of [['slow', 40], ['fast', 1], ['medium', 10]] as const) {
      registry.add(
        'postfork',
        async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await sleep(ms);
          ran.push(name);
          running--;
        },
        { name },
      );
    }
    await registry.run('postfork', testContext());
    expect(ran).toEqual(['slow', 'fast', 'medium']);
    expect(maxRunning).toBe(1);
  });

  it('sets ctx.phase and passes the caller context through', async () => {
    const registry = new HookRegistry();
    const seen: Array<[string, number, string]> = [];
    registry.add('prefork', (ctx) => void seen.push([ctx.phase, ctx.workerIndex, ctx.runtime]));
    registry.add('postfork', (ctx) => void seen.push([ctx.phase, ctx.workerIndex, ctx.runtime]));
    await registry.run('prefork', testContext({ workerIndex: 3, runtime: 'custom' }));
    await registry.run('postfork', testContext({ workerIndex: 3, runtime: 'custom' }));
    expect(seen).toEqual([
      ['prefork', 3, 'custom'],
      ['postfork', 3, 'custom'],
    ]);
  });

  it('names hooks after their function, or "anonymous"', () => {
    const registry = new HookRegistry();
    function initTracing(): void {}
    registry.add('postfork', initTracing);
    registry.add('postfork', () => undefined);
    expect(registry.hooks('postfork').map((h) => h.name)).toEqual(['initTracing', 'anonymous']);
  });

  it('unregisters with the function add returns', async () => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    const undo = registry.add('postfork', () => void ran.push('gone'), { name: 'gone' });
    registry.add('postfork', () => void ran.push('kept'), { name: 'kept' });
    undo();
    await registry.run('postfork', testContext());
    expect(ran).toEqual(['kept']);
    expect(registry.hooks('postfork').map((h) => h.name)).toEqual(['kept']);
  });
});
