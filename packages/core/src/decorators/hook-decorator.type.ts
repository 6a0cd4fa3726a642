import type { HookFn, HookOptions } from '../types/hook-options';

/** A method decorator that works under legacy (`experimentalDecorators`) and TC39 standard decorators. */
export interface MethodHookDecorator {
  /** Wraps a plain function: registers it and returns it unchanged. */
  <F extends HookFn>(fn: F): F;
  /** Legacy decorators (`experimentalDecorators`). */
  <T>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): void;
  /** TC39 standard decorators (TypeScript 5+ without `experimentalDecorators`). */
  // The constraint is the one lib.decorators.d.ts puts on ClassMethodDecoratorContext itself.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  <This, V extends (this: This, ...args: any) => any>(value: V, context: ClassMethodDecoratorContext<This, V>): void;
}

/** `@postfork`, `@postfork()`, `@postfork({ ... })`, `postfork(fn)` and `postfork(options, fn)` in one callable. */
export interface HookDecorator extends MethodHookDecorator {
  <F extends HookFn>(fn: F): F;
  <F extends HookFn>(options: HookOptions, fn: F): F;
  (options?: HookOptions): MethodHookDecorator;
}
