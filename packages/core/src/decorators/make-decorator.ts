import 'reflect-metadata';
import { DecoratorTargetError } from '../errors/decorator-target.error';
import { registry } from '../default-registry';
import { INSTANCE_HOOKS_KEY, type InstanceHookRecord } from '../metadata-keys';
import { resolveOptions } from '../options';
import type { HookContext } from '../types/hook-context';
import type { HookFn, HookOptions } from '../types/hook-options';
import type { Phase } from '../types/phase';
import type { HookDecorator } from './hook-decorator.type';

type AnyFunction = (this: unknown, ...args: never[]) => unknown;

/**
 * Builds the decorator of one phase. It tells the call forms apart once, then only records:
 * static methods and plain functions go to the default registry now, instance methods become
 * metadata that `registry.addInstance(obj)` reads later.
 */
export function makeDecorator(phase: Phase): HookDecorator {
  function decorator(...args: unknown[]): unknown {
    const [first, second] = args;
    if (args.length === 0 || (args.length === 1 && isOptions(first))) {
      const options = first as HookOptions | undefined;
      return (...inner: unknown[]) => apply(phase, options, inner);
    }
    if (args.length === 2 && typeof second === 'function' && (first === undefined || isOptions(first))) {
      return registerFunction(phase, first as HookOptions | undefined, second);
    }
    return apply(phase, undefined, args);
  }
  return decorator as HookDecorator;
}

function apply(phase: Phase, options: HookOptions | undefined, args: unknown[]): unknown {
  const [target, key, descriptor] = args;
  if (args.length === 1 && typeof target === 'function') return registerFunction(phase, options, target);
  if (args.length === 2 && isStandardContext(key)) return applyStandard(phase, options, target, key);
  if (args.length === 3 && (typeof key === 'string' || typeof key === 'symbol')) {
    if (isDescriptor(descriptor) && typeof descriptor.value === 'function') {
      applyLegacy(phase, options, target as object, key, descriptor.value as AnyFunction);
      return undefined;
    }
    // TypeScript's legacy __decorate passes an undefined descriptor for a property.
    const what = typeof descriptor === 'number' ? `parameter ${descriptor} of` : descriptor === undefined ? 'property' : 'accessor';
    throw new DecoratorTargetError(phase, `${what} "${String(key)}" of ${className(target)}`);
  }
  if (args.length === 2 && (typeof key === 'string' || typeof key === 'symbol')) {
    throw new DecoratorTargetError(phase, `property "${String(key)}" of ${className(target)}`);
  }
  throw new DecoratorTargetError(phase, describeArgs(args));
}

function registerFunction(phase: Phase, options: HookOptions | undefined, fn: unknown): unknown {
  if (isClass(fn)) throw new DecoratorTargetError(phase, `class ${(fn as { name: string }).name || '(anonymous)'}`);
  registry.add(phase, fn as HookFn, options);
  return fn;
}

function applyLegacy(phase: Phase, options: HookOptions | undefined, target: object, key: string | symbol, fn: AnyFunction): void {
  if (typeof target === 'function') {
    registry.add(phase, bindTo(target, fn), { ...options, name: options?.name ?? `${target.name}.${String(key)}` });
    return;
  }
  // Validate now so a bad option fails at class definition, not at addInstance.
  resolveOptions(phase, fn, options, `${className(target)}.${String(key)}`);
  record(target, { phase, key, fn, options });
}

function applyStandard(
  phase: Phase,
  options: HookOptions | undefined,
  value: unknown,
  context: DecoratorContext,
): undefined {
  if (context.kind !== 'method' || typeof value !== 'function') {
    throw new DecoratorTargetError(phase, `${context.kind} "${String(context.name)}"`);
  }
  const fn = value as AnyFunction;
  const key = context.name;
  resolveOptions(phase, fn, options, String(key));
  if (context.static) {
    // Static initializers run at class definition, with `this` bound to the class.
    context.addInitializer(function (this: unknown) {
      const cls = this as { name: string };
      registry.add(phase, bindTo(cls, fn), { ...options, name: options?.name ?? `${cls.name}.${String(key)}` });
    });
  } else {
    // Instance initializers run in each constructor: record on the instance, for addInstance.
    context.addInitializer(function (this: unknown) {
      record(this as object, { phase, key, fn, options });
    });
  }
  return undefined;
}

function record(target: object, entry: InstanceHookRecord): void {
  const own = (Reflect.getOwnMetadata(INSTANCE_HOOKS_KEY, target) as InstanceHookRecord[] | undefined) ?? [];
  Reflect.defineMetadata(INSTANCE_HOOKS_KEY, [...own, entry], target);
}

function bindTo(self: unknown, fn: AnyFunction): HookFn {
  return (ctx: HookContext) => (fn as (this: unknown, ctx: HookContext) => unknown).call(self, ctx);
}

interface DecoratorContext {
  kind: string;
  name: string | symbol;
  static?: boolean;
  addInitializer(initializer: (this: unknown) => void): void;
}

function isStandardContext(value: unknown): value is DecoratorContext {
  return typeof value === 'object' && value !== null && 'kind' in value && 'addInitializer' in value;
}

function isDescriptor(value: unknown): value is PropertyDescriptor {
  return typeof value === 'object' && value !== null && ('value' in value || 'get' in value || 'set' in value);
}

function isOptions(value: unknown): boolean {
  return value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

function className(target: unknown): string {
  if (typeof target === 'function') return `class ${target.name}`;
  const ctor = (target as { constructor?: { name?: string } } | null)?.constructor;
  return `class ${ctor?.name ?? '(unknown)'}`;
}

function describeArgs(args: unknown[]): string {
  return args.length === 0 ? 'nothing' : args.map((a) => (a === null ? 'null' : typeof a)).join(', ') + ' (not a method or function)';
}
