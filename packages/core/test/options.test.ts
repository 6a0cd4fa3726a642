import { HookRegistry, InvalidHookOptionError, type HookFn, type HookOptions, type Phase } from '../src';

const noop: HookFn = () => undefined;

function addError(phase: unknown, fn: unknown, options?: unknown): InvalidHookOptionError {
  try {
    new HookRegistry().add(phase as Phase, fn as HookFn, options as HookOptions);
  } catch (error) {
    return error as InvalidHookOptionError;
  }
  throw new Error('expected registry.add to throw');
}

describe('registry.add validates before storing', () => {
  it.each([
    [{ timeoutMs: -1 }, 'timeoutMs', /timeoutMs must be a positive number of milliseconds, got -1/],
    [{ timeoutMs: Number.NaN }, 'timeoutMs', /got NaN/],
    [{ timeoutMs: 0 }, 'timeoutMs', /got 0/],
    [{ order: Number.POSITIVE_INFINITY }, 'order', /order must be a finite number/],
    [{ order: '1' }, 'order', /order must be a finite number, got 1/],
    [{ when: true }, 'when', /when must be a function \(ctx\) => boolean, got boolean/],
    [{ critical: 'yes' }, 'critical', /critical must be true or false/],
    [{ once: 1 }, 'once', /once must be true or false/],
    [{ name: '' }, 'name', /name must be a non-empty string/],
    [{ timeout: 100 }, 'timeout', /unknown option "timeout".*did you mean "timeoutMs"\?/],
  ])('rejects %p naming the option', (options, option, message) => {
    const error = addError('postfork', function myHook() {}, options);
    expect(error).toBeInstanceOf(InvalidHookOptionError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('FORKHOOKS_ERR_INVALID_OPTION');
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });

  it('names the hook in the message', () => {
    expect(addError('postfork', function initTracing() {}, { timeoutMs: -5 }).message).toMatch(/for hook "initTracing"/);
  });

  it('rejects an unknown phase and a non-function hook', () => {
    expect(addError('postFork', noop).message).toMatch(/"postFork" is not a phase; use one of prefork, postfork, atexit/);
    expect(addError('atexit', 'flush').message).toMatch(/a atexit hook must be a function, got string/);
    expect(addError('atexit', noop, 5).message).toMatch(/options must be an object/);
  });

  it('stores nothing when validation fails', () => {
    const registry = new HookRegistry();
    expect(() => registry.add('postfork', noop, { timeoutMs: -1 })).toThrow(InvalidHookOptionError);
    expect(registry.hooks('postfork')).toHaveLength(0);
  });

  it('fills in the defaults: 10 s for start-up hooks, 5 s for atexit, critical, order 0', () => {
    const registry = new HookRegistry();
    registry.add('postfork', noop);
    registry.add('atexit', noop);
    expect(registry.hooks('postfork')[0]).toMatchObject({ timeoutMs: 10_000, critical: true, order: 0, once: false });
    expect(registry.hooks('atexit')[0]).toMatchObject({ timeoutMs: 5_000 });
  });
});
