import { isMessage, type StopPhase, type WorkerMessage } from '@forkhooks/core/manager';
import type { StartFailure } from './types/worker-info';

/** What a manager makes of one message from its worker: ready, failed (with why), or not ours. */
export type WorkerSignal =
  | { kind: 'ready' }
  | { kind: 'failed'; failure: StartFailure }
  | { kind: 'stopping'; phase: StopPhase }
  | { kind: 'heartbeat'; rss: number; requests: number }
  | undefined;

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
    const { rss, requests } = message as Extract<WorkerMessage, { forkhooks: 'heartbeat' }>;
    return { kind: 'heartbeat', rss: Number(rss) || 0, requests: Number(requests) || 0 };
  }
  return undefined;
}

/** What a forced kill cuts off, from the last stop phase the worker reported. */
export function cutOff(phase: StopPhase | undefined): string {
  if (phase === 'atexit') return 'its atexit hooks still running (a span flush among them)';
  if (phase === 'drain') return 'its requests in flight and all of its atexit hooks';
  return 'its whole stop (it never reported a drain or atexit: blocked, or not listening for the stop message)';
}

/** The manager's stop request, understood by core's stop paths (IPC and parentPort). */
export const STOP_MESSAGE = { forkhooks: 'stop' } as const;
