// Fault matrix, last row: decorators on wrong targets and bad hook options. The decorator forms are
// called in this process against the built @forkhooks/core, as a user's code would call them; the
// last test runs a user's entry file with a bad option as a real process and reads its stderr.
import { join } from 'node:path';
import { atexit, DecoratorTargetError, InvalidHookOptionError, postfork, prefork, registry, type HookOptions } from '@forkhooks/core';
import { reapLeftovers, runNode } from '../../test-utils/processes';
import { assertBuilt, FIXTURES } from './helpers';

beforeAll(assertBuilt);
afterAll(async () => expect(await reapLeftovers()).toEqual([]));

describe('decorators on wrong targets, bad options', () => {
  /** What `define` throws. */
  function thrown(define: () => unknown): Error {
    try {
      define();
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a TypeError, but nothing was thrown');
  }

  // TC39 standard decorators (this file is compiled without experimentalDecorators).
  it.each([
    [
      'a class',
      () => {
        // @ts-expect-error -- a hook decorator does not go on a class
        @postfork
        class Pool {}
        return Pool;
      },
      /@postfork was applied to class "?Pool"?/,
    ],
    [
      'a field',
      () => {
        class Pool {
          // @ts-expect-error -- nor on a field
          @atexit size = 1;
        }
        return new Pool();
      },
      /@atexit was applied to field "size"/,
    ],
    [
      'a getter',
      () => {
        class Pool {
          // @ts-expect-error -- nor on a getter
          @prefork get ready(): boolean {
            return true;
          }
        }
        return Pool;
      },
      /@prefork was applied to getter "ready"/,
    ],
  ])('on %s (standard decorators): a TypeError naming the decorator and the target', (_, define, message) => {
    const error = thrown(define);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(DecoratorTargetError);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/it goes on a method/);
  });

  // The calls TypeScript's legacy __decorate and __param make (experimentalDecorators), made by hand.
  class LegacyPool {}
  it.each([
    ['a property', [LegacyPool.prototype, 'size', undefined], /@postfork was applied to property "size" of class LegacyPool/],
    ['a parameter', [LegacyPool.prototype, 'open', 0], /@postfork was applied to parameter 0 of "open" of class LegacyPool/],
    ['a getter', [LegacyPool.prototype, 'ready', { get: () => true, configurable: true }], /@postfork was applied to accessor "ready" of class LegacyPool/],
  ])('on %s (legacy decorators): a TypeError naming the target', (_, args, message) => {
    const error = thrown(() => (postfork as unknown as (...a: unknown[]) => unknown)(...args));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(message);
  });

  it.each([
    [{ timeoutMs: -1 }, /invalid timeoutMs for hook "(Pool\.)?open": timeoutMs must be a positive number/],
    [{ order: Number.NaN }, /invalid order for hook "(Pool\.)?open": order must be a finite number/],
    [{ critical: 'yes' }, /invalid critical for hook "(Pool\.)?open": critical must be true or false/],
    [{ when: 'worker 0' }, /invalid when for hook "(Pool\.)?open": when must be a function/],
    [{ timeout: 500 }, /invalid timeout for hook "(Pool\.)?open": unknown option "timeout"; .*did you mean "timeoutMs"\?/],
  ])('bad option %p: a TypeError naming the hook and the option, before anything is registered', (options, message) => {
    const before = registry.hooks('postfork').length;
    const error = thrown(() => {
      class Pool {
        @postfork(options as unknown as HookOptions) static open(): void {}
      }
      return Pool;
    });
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(InvalidHookOptionError);
    expect(error.message).toMatch(message);
    expect(registry.hooks('postfork')).toHaveLength(before);
  });

  it('a bad option in a real app: the process stops at import with the message naming hook and option', async () => {
    const result = await runNode(join(FIXTURES, 'bad-hook-options.js'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/InvalidHookOptionError: invalid timeout for hook "connectDatabase": unknown option "timeout"; .*did you mean "timeoutMs"\?/);
  });
});
