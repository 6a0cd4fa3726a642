import type { HookFn, HookOptions } from '../types/hook-options';

/** A method decorator that works under legacy (`experimentalDecorators`) and TC39 standard decorators. */
// TypeScript lets a decorator match a signature with fewer parameters than it passes, so the
// function forms take a second parameter typed `never`: without it, `@postfork` on a field or
// getter would type-check as `postfork(fn)` and fail only at run time.
export interface MethodHookDecorator {
  /** Wraps a plain function: registers it and returns it unchanged. */
  <F extends HookFn>(fn: F, notADecoratorContext?: never): F;
  /** Legacy decorators (`experimentalDecorators`). */
  <T extends (...args: never) => unknown>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): void;
  /** TC39 standard decorators (TypeScript 5+ without `experimentalDecorators`). */
  // The constraint is the one lib.decorators.d.ts puts on ClassMethodDecoratorContext itself.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  <This, V extends (this: This, ...args: any) => any>(value: V, context: ClassMethodDecoratorContext<This, V>): void;
}

/** `@postfork`, `@postfork()`, `@postfork({ ... })`, `postfork(fn)` and `postfork(options, fn)` in one callable. */
export interface HookDecorator extends MethodHookDecorator {
  <F extends HookFn>(fn: F, notADecoratorContext?: never): F;
  <F extends HookFn>(options: HookOptions, fn: F): F;
  (options?: HookOptions, notADecoratorContext?: never): MethodHookDecorator;
}
