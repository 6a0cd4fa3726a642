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

/** A one-line description of any thrown value. */
export function describe(value: unknown): string {
  if (value instanceof Error) return value.message || value.name;
  if (typeof value === 'string') return value;
  // DOMException (AbortSignal.timeout's reason) is not an Error in Node 20, but has a message.
  if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
