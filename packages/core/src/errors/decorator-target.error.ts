import { ErrorCodes } from './codes';

/** A decorator was put on something other than a method or a function. */
export class DecoratorTargetError extends TypeError {
  override name = 'DecoratorTargetError';
  readonly code = ErrorCodes.DECORATOR_TARGET;

  constructor(
    readonly decorator: string,
    readonly target: string,
  ) {
    super(
      `@${decorator} was applied to ${target}; it goes on a method (static, or instance with registry.addInstance) ` +
        `or wraps a plain function: ${decorator}(fn) or ${decorator}(options, fn)`,
    );
  }
}
