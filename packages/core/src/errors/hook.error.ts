import type { Phase } from '../types/phase';
import type { RunReport } from '../types/hook-result';
import { ErrorCodes, type ErrorCode } from './codes';

/** A hook threw or rejected. Carries the phase, the hook's name and the original error as `cause`. */
export class HookError extends Error {
  override name = 'HookError';
  readonly code: ErrorCode = ErrorCodes.HOOK_FAILED;
  /** The report of the phase up to and including this hook, set when a critical hook stops a run. */
  report?: RunReport;

  constructor(
    readonly phase: Phase,
    readonly hookName: string,
    cause: unknown,
    message = `${phase} hook "${hookName}" failed: ${describe(cause)}`,
  ) {
    super(message, { cause });
  }
}

/** Longest description `describe` returns: an error message is one line, not a dump. */
export const MAX_DESCRIPTION = 2_000;

/**
 * A one-line description of any thrown value. Never throws (getters that throw, revoked Proxies,
 * circular null-prototype objects, Symbols, BigInts): describing a failure must never cause one.
 */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = describeUnsafe(value);
  } catch {
    text = fallback(value);
  }
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}… (${text.length - MAX_DESCRIPTION} more characters)` : text;
}

function describeUnsafe(value: unknown): string {
  if (value instanceof Error) {
    const message: unknown = value.message;
    if (typeof message === 'string' && message !== '') return message;
    const name: unknown = value.name;
    return typeof name === 'string' && name !== '' ? name : 'Error';
  }
  if (typeof value === 'string') return value;
  // DOMException (AbortSignal.timeout's reason) is not an Error in Node 20, but has a message.
  if (typeof value === 'object' && value !== null) {
    const message: unknown = (value as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const json: unknown = JSON.stringify(value);
    if (typeof json === 'string') return json;
  } catch {
    // circular, a throwing toJSON, a BigInt inside: fall through
  }
  return String(value);
}

/** What is left when every way of reading the value threw: its type, and its class when that can be read. */
function fallback(value: unknown): string {
  try {
    if (typeof value === 'symbol') return value.toString();
    if (typeof value !== 'object' && typeof value !== 'function') return `${typeof value} value`;
    if (value === null) return 'null';
    const ctor: unknown = Object.getPrototypeOf(value)?.constructor;
    const name: unknown = typeof ctor === 'function' ? ctor.name : undefined;
    return `a thrown ${typeof name === 'string' && name !== '' ? name : typeof value} that cannot be described`;
  } catch {
    // A revoked Proxy throws on every operation, getPrototypeOf included.
    return `a thrown ${typeof value} that cannot be described`;
  }
}

/** `error.stack` when it can be read and is a string; else undefined (a getter may throw). */
export function safeStack(error: unknown): string | undefined {
  try {
    if (!(error instanceof Error)) return undefined;
    const stack: unknown = error.stack;
    return typeof stack === 'string' && stack !== '' ? stack : undefined;
  } catch {
    return undefined;
  }
}

/** `value instanceof type`, false when even that throws (a revoked Proxy throws on instanceof). */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}
