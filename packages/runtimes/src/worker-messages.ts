import { isMessage, type WorkerMessage } from '@forkhooks/core';
import type { StartFailure } from './types/worker-info';

/** What a manager makes of one message from its worker: ready, failed (with why), or not ours. */
export type WorkerSignal = { kind: 'ready' } | { kind: 'failed'; failure: StartFailure } | undefined;

/** Reads a message sent by core's startWorker (`{ forkhooks: 'ready' | 'failed', ... }`); anything else is the app's. */
export function readWorkerMessage(message: unknown): WorkerSignal {
  if (isMessage(message, 'ready')) return { kind: 'ready' };
  if (isMessage(message, 'failed')) {
    const { phase, hookName, message: text } = message as Extract<WorkerMessage, { forkhooks: 'failed' }>;
    return { kind: 'failed', failure: { phase: String(phase), hookName: hookName ?? undefined, message: String(text) } };
  }
  return undefined;
}

/** The manager's stop request, understood by core's stop paths (IPC and parentPort). */
export const STOP_MESSAGE = { forkhooks: 'stop' } as const;
