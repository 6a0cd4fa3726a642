import { describe } from '../errors/hook.error';
import type { RescueHandler, RescueOutcome, StuckStack } from './rescue-types';

/**
 * The key of the holder on globalThis. The watchdog thread's inspector session calls
 * `globalThis[Symbol.for('forkhooks.rescue')].run(stuck)` on the paused main thread; a global (not a
 * module variable) so that two copies of core in one app still share one list of handlers.
 */
export const RESCUE_KEY = 'forkhooks.rescue';

interface Holder {
  handlers: RescueHandler[];
  /** Called on the stuck main thread: every handler's outcome, as JSON (bodies in base64). */
  run(stuck: StuckStack): string;
}

/** A delivery as it crosses the inspector: its body in base64. */
export type WireDelivery = Omit<RescueOutcome['deliveries'][number], 'body'> & { body: string };
/** Every handler's outcome merged, as the watchdog thread reads it. */
export type WireOutcome = Omit<RescueOutcome, 'deliveries'> & { deliveries: WireDelivery[] };

function holder(): Holder {
  const g = globalThis as typeof globalThis & { [key: symbol]: Holder | undefined };
  return (g[Symbol.for(RESCUE_KEY)] ??= { handlers: [], run: runRescue });
}

/**
 * Registers what a stuck main thread's rescue hands over (`@forkhooks/otel-init` registers its
 * tracing). Returns its removal. The handler's `rescue` runs on the paused main thread: synchronous
 * and quick; a throw is reported in the primary's line, never thrown on.
 */
export function registerRescue(handler: RescueHandler): () => void {
  if (typeof handler?.name !== 'string' || typeof handler.rescue !== 'function' || typeof handler.unsentSpans !== 'function') {
    throw new TypeError('registerRescue: expected a handler { name: string, unsentSpans(): number, rescue(stuck): RescueOutcome }');
  }
  const { handlers } = holder();
  handlers.push(handler);
  return () => {
    const at = handlers.indexOf(handler);
    if (at >= 0) handlers.splice(at, 1);
  };
}

/** The spans every handler holds now (ended, not yet exported), or undefined when none is registered. Never throws. */
export function unsentSpans(): number | undefined {
  const { handlers } = holder();
  if (handlers.length === 0) return undefined;
  let total = 0;
  for (const handler of handlers) {
    try {
      total += Number(handler.unsentSpans()) || 0;
    } catch {
      // A count is a diagnostic: one that fails is left out.
    }
  }
  return total;
}

/** Runs every handler on the stuck main thread and merges what they hand over. Never throws. */
export function runRescue(stuck: StuckStack): string {
  const merged: WireOutcome = { deliveries: [], spansEnded: 0, spansLost: 0, spansInFlight: 0, notes: [] };
  for (const handler of holder().handlers) {
    try {
      const outcome = handler.rescue(stuck);
      merged.spansEnded += outcome.spansEnded;
      merged.spansLost += outcome.spansLost;
      merged.spansInFlight += outcome.spansInFlight;
      merged.notes.push(...outcome.notes);
      for (const d of outcome.deliveries) merged.deliveries.push({ ...d, body: Buffer.from(d.body.buffer, d.body.byteOffset, d.body.byteLength).toString('base64') });
    } catch (error) {
      merged.notes.push(`${handler.name} failed: ${describe(error)}`);
    }
  }
  return JSON.stringify(merged);
}

/** Installs the holder on globalThis, so the watchdog thread finds `run` even before any handler registers. */
export function installRescue(): void {
  holder();
}
