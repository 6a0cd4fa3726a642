import { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';

/** Throws unless `value` is an integer >= `min` (undefined passes when optional). */
export function checkInteger(caller: string, option: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidRuntimeOptionError(option, caller, `expected an integer >= ${min}, got ${show(value)}`);
  }
}

/** Throws unless `value` is a positive finite number of milliseconds (undefined passes). */
export function checkDuration(caller: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidRuntimeOptionError(option, caller, `expected a positive number of milliseconds, got ${show(value)}`);
  }
}

/** Throws unless `value` is a function (undefined passes when not `required`). */
export function checkFunction(caller: string, option: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'function') {
    throw new InvalidRuntimeOptionError(option, caller, `expected a function, got ${show(value)}`);
  }
}

/** Throws unless `value` is a plain object (undefined passes). */
export function checkObject(caller: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRuntimeOptionError(option, caller, `expected an object, got ${show(value)}`);
  }
}

/** Throws unless `value` is a non-empty string (undefined passes). */
export function checkString(caller: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value === '') {
    throw new InvalidRuntimeOptionError(option, caller, `expected a non-empty string, got ${show(value)}`);
  }
}

/** Throws unless `value` is an array of strings (undefined passes). */
export function checkStrings(caller: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new InvalidRuntimeOptionError(option, caller, `expected an array of strings, got ${show(value)}`);
  }
}

/** Throws when `options` has a key not in `known`, naming the typo. */
export function checkKeys(caller: string, prefix: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidRuntimeOptionError(`${prefix}${key}`, caller, `unknown option; allowed: ${known.join(', ')}`);
    }
  }
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return String(value);
}

/** Throws unless `value` looks like a HookRegistry (duck-typed: two copies of core must interoperate). */
export function checkRegistry(caller: string, value: unknown): void {
  if (value === undefined) return;
  const candidate = value as { run?: unknown; hooks?: unknown } | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.run !== 'function' || typeof candidate.hooks !== 'function') {
    throw new InvalidRuntimeOptionError('registry', caller, `expected a HookRegistry from @forkhooks/core, got ${show(value)}`);
  }
}
