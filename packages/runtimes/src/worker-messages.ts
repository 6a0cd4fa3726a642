import { isMessage, type StopPhase, type WorkerMessage } from '@forkhooks/core/manager';
import type { StartFailure } from './types/worker-info';

/** What a manager makes of one message from its worker: ready, failed (with why), its stop phase, a heartbeat, its servers closed, or not ours. */
export type WorkerSignal =
  | { kind: 'ready' }
  | { kind: 'failed'; failure: StartFailure }
  | { kind: 'stopping'; phase: StopPhase }
  | { kind: 'heartbeat'; beat: Heartbeat }
  | { kind: 'servers-closed' }
  | undefined;

/** What a heartbeat carries: RSS, requests, the spans a kill would lose now, where its rescue listens (or why not). */
export interface Heartbeat {
  rss: number;
  requests: number;
  /** Ended, not yet exported (undefined: no tracing in the worker). */
  unsent: number | undefined;
  rescue: string | undefined;
  rescueOff: string | undefined;
}

/** Reads a message sent by core's startWorker (`{ forkhooks: 'ready' | 'failed', ... }`); anything else is the app's. */
export function readWorkerMessage(message: unknown): WorkerSignal {
  if (isMessage(message, 'ready')) return { kind: 'ready' };
  if (isMessage(message, 'failed')) {
    const { phase, hookName, message: text } = message as Extract<WorkerMessage, { forkhooks: 'failed' }>;
    return { kind: 'failed', failure: { phase: String(phase), hookName: hookName ?? undefined, message: String(text) } };
  }
  if (isMessage(message, 'stopping')) {
    const { phase } = message as Extract<WorkerMessage, { forkhooks: 'stopping' }>;
    if (phase === 'drain' || phase === 'atexit') return { kind: 'stopping', phase };
  }
  if (isMessage(message, 'heartbeat')) {
    const { rss, requests, unsent, rescue, rescueOff } = message as Extract<WorkerMessage, { forkhooks: 'heartbeat' }>;
    const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
    return {
      kind: 'heartbeat',
      beat: { rss: Number(rss) || 0, requests: Number(requests) || 0, unsent: typeof unsent === 'number' ? unsent : undefined, rescue: text(rescue), rescueOff: text(rescueOff) },
    };
  }
  if (isMessage(message, 'servers-closed')) return { kind: 'servers-closed' };
  return undefined;
}

/** What a forced kill cuts off, from the last stop phase the worker reported. */
export function cutOff(phase: StopPhase | undefined): string {
  if (phase === 'atexit') return 'its atexit hooks still running (a span flush among them)';
  if (phase === 'drain') return 'its requests in flight and all of its atexit hooks';
  return 'its whole stop (it never reported a drain or atexit: blocked, or not listening for the stop message)';
}

/** What a kill loses of the spans, from the worker's last heartbeat: a clause for the kill's line. */
export function unsentClause(unsent: number | undefined): string {
  if (unsent === undefined) return '';
  return `; it held ${unsent} span(s) not yet exported at its last heartbeat${unsent > 0 ? ', lost with it' : ''}`;
}

/** The manager's stop request, understood by core's stop paths (IPC and parentPort). */
export const STOP_MESSAGE = { forkhooks: 'stop' } as const;

/** The primary's answer to a worker's 'servers-closed': it routes that worker no connection any more. */
export const ROUTING_STOPPED = { forkhooks: 'routing-stopped' } as const;
