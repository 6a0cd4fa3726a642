import { HookError, HookRegistry, HookTimeoutError } from '../src';
import { sleep, testContext } from './helpers';

describe('registry: failures, timeouts and signals', () => {
  it('stops prefork/postfork at a failing critical hook and rejects with its HookError', async () => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    const boom = new Error('cannot connect');
    registry.add('postfork', () => void ran.push('before'), { name: 'before' });
    registry.add('postfork', () => {
      throw boom;
    }, { name: 'db' });
    registry.add('postfork', () => void ran.push('after'), { name: 'after' });

    const failure = await registry.run('postfork', testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(HookError);
    const error = failure as HookError;
    expect(error).toMatchObject({ phase: 'postfork', hookName: 'db', code: 'FORKHOOKS_ERR_HOOK_FAILED', cause: boom });
    expect(error.message).toBe('postfork hook "db" failed: cannot connect');
    expect(error.report?.results.map((r) => [r.name, r.status])).toEqual([
      ['before', 'ok'],
      ['db', 'failed'],
    ]);
    expect(ran).toEqual(['before']);
  });

  it('treats a rejected promise like a throw', async () => {
    const registry = new HookRegistry();
    registry.add('prefork', async () => Promise.reject(new Error('nope')), { name: 'async-fail' });
    await expect(registry.run('prefork', testContext())).rejects.toThrow('prefork hook "async-fail" failed: nope');
  });

  it('reports a failing best-effort hook and goes on', async () => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    registry.add('postfork', () => {
      throw new Error('metrics down');
    }, { name: 'metrics', critical: false });
    registry.add('postfork', () => void ran.push('after'), { name: 'after' });
    const report = await registry.run('postfork', testContext());
    expect(ran).toEqual(['after']);
    expect(report.results[0]).toMatchObject({ name: 'metrics', status: 'failed' });
    expect(report.results[0]?.error).toBeInstanceOf(HookError);
    expect(report.results[1]).toMatchObject({ name: 'after', status: 'ok' });
  });

  it('fails a hook that outlives timeoutMs with HookTimeoutError and aborts its signal', async () => {
    const registry = new HookRegistry();
    let signal: AbortSignal | undefined;
    registry.add('postfork', async (ctx) => {
      signal = ctx.signal;
      await sleep(5_000, ctx.signal);
    }, { name: 'hangs', timeoutMs: 50 });
    const started = Date.now();
    const failure = await registry.run('postfork', testContext()).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(failure).toBeInstanceOf(HookTimeoutError);
    expect(failure).toMatchObject({ phase: 'postfork', hookName: 'hangs', timeoutMs: 50, code: 'FORKHOOKS_ERR_HOOK_TIMEOUT' });
    expect((failure as Error).message).toMatch(/postfork hook "hangs" did not settle within 50 ms/);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(failure);
  });

  it('gives each hook its own signal: a later hook is not born aborted', async () => {
    const registry = new HookRegistry();
    const signals: AbortSignal[] = [];
    registry.add('prefork', (ctx) => void signals.push(ctx.signal), { name: 'one' });
    registry.add('prefork', (ctx) => void signals.push(ctx.signal), { name: 'two' });
    await registry.run('prefork', testContext());
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]);
    expect(signals.map((s) => s.aborted)).toEqual([false, false]);
  });

  it('runs every atexit hook even when earlier ones fail or time out, and never rejects', async () => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    registry.add('atexit', () => void ran.push('last-registered-runs-last'), { name: 'a' });
    registry.add('atexit', (ctx) => sleep(5_000, ctx.signal), { name: 'hangs', timeoutMs: 30 });
    registry.add('atexit', () => {
      throw new Error('flush failed');
    }, { name: 'throws' });
    const report = await registry.run('atexit', testContext({ reason: 'signal' }));
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['throws', 'failed'],
      ['hangs', 'timeout'],
      ['a', 'ok'],
    ]);
    expect(ran).toEqual(['last-registered-runs-last']);
  });

  it('cuts atexit at the caller deadline and reports the hooks it could not run', async () => {
    const registry = new HookRegistry();
    const deadline = AbortSignal.timeout(60);
    let hookSignal: AbortSignal | undefined;
    registry.add('atexit', () => 'never reached', { name: 'first-registered' });
    registry.add('atexit', async (ctx) => {
      hookSignal = ctx.signal;
      await sleep(5_000, ctx.signal);
    }, { name: 'slow-flush', timeoutMs: 4_000 });
    const started = Date.now();
    const report = await registry.run('atexit', testContext({ reason: 'signal', signal: deadline }));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['slow-flush', 'timeout'],
      ['first-registered', 'timeout'],
    ]);
    expect(report.results[1]?.error?.message).toMatch(/did not run/);
    expect(hookSignal?.aborted).toBe(true);
  });

  it('aborts running start-up hooks when shutdown begins', async () => {
    const registry = new HookRegistry();
    let aborted = false;
    registry.add('postfork', async (ctx) => {
      ctx.signal.addEventListener('abort', () => (aborted = true));
      await sleep(5_000, ctx.signal);
    }, { name: 'connecting' });
    const run = registry.run('postfork', testContext()).catch((e: unknown) => e);
    await sleep(20);
    registry.beginShutdown(new Error('SIGTERM'));
    const failure = await run;
    expect(aborted).toBe(true);
    expect(failure).toBeInstanceOf(HookTimeoutError);
    expect((failure as Error).message).toMatch(/was cut off: SIGTERM/);
  });
});
