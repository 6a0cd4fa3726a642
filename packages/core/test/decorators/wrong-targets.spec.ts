import { DecoratorTargetError, InvalidHookOptionError, postfork, atexit } from '../../src';
import { decoratorMode } from './mode';

function thrown(define: () => unknown): Error {
  try {
    define();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the definition to throw');
}

describe(`decorators on the wrong target (${decoratorMode()} decorators)`, () => {
  it('rejects a class, naming it', () => {
    const error = thrown(() => {
      // @ts-expect-error -- a hook decorator does not go on a class
      @postfork
      class Service {}
      return Service;
    });
    expect(error).toBeInstanceOf(DecoratorTargetError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/@postfork was applied to class "?Service"?; it goes on a method/);
  });

  it('rejects a property, naming it', () => {
    const error = thrown(() => {
      class Service {
        // @ts-expect-error -- a hook decorator does not go on a property
        @atexit client = 1;
      }
      return new Service();
    });
    expect(error).toBeInstanceOf(DecoratorTargetError);
    expect(error.message).toMatch(/@atexit was applied to (property|field) "client"/);
  });

  it('rejects an accessor, naming it', () => {
    const error = thrown(() => {
      class Service {
        // @ts-expect-error -- a hook decorator does not go on a getter
        @postfork() get ready(): boolean {
          return true;
        }
      }
      return Service;
    });
    expect(error).toBeInstanceOf(DecoratorTargetError);
    expect(error.message).toMatch(/@postfork was applied to (accessor|getter) "ready"/);
  });

  it('rejects bad options at class definition, naming option and method', () => {
    const error = thrown(() => {
      class Service {
        @postfork({ timeoutMs: -1 }) static init(): void {}
      }
      return Service;
    });
    expect(error).toBeInstanceOf(InvalidHookOptionError);
    expect(error.message).toMatch(/invalid timeoutMs for hook "(Service\.)?init"/);
  });

  it('rejects a non-function in the function form', () => {
    expect(() => postfork({ order: 1 }, 'init' as never)).toThrow(TypeError);
  });
});
