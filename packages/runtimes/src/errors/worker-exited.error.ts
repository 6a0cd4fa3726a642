import { redactUrl } from '@forkhooks/core';
import type { StartFailure } from '../types/worker-info';
import { RuntimeErrorCodes } from './codes';

/** A worker ended before it was ready (the `ready` promise of its handle rejects with this), or ended with nobody to replace it. */
export class WorkerExitedError extends Error {
  override name = 'WorkerExitedError';
  readonly code = RuntimeErrorCodes.WORKER_EXITED;

  constructor(
    /** `child process`, `worker thread` or `cluster worker`, and its slot. */
    readonly worker: string,
    readonly workerIndex: number,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly failure: StartFailure | undefined,
    when = 'before it was ready',
  ) {
    super(
      `${worker} ${workerIndex} ${describeExit(exitCode, signal)} ${when}` +
        (failure ? `: ${describeFailure(failure)}; fix that ${failure.hookName ? 'hook' : 'main function'}` : '; see its stderr for why'),
    );
  }
}

/** "exited with code 1" or "was killed by SIGKILL". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  return code === null ? 'ended' : `exited with code ${code}`;
}

/** `postfork hook "initTracing" failed: boom`, or `main failed: boom`. */
export function describeFailure(failure: StartFailure): string {
  const what = failure.hookName ? `${failure.phase} hook "${failure.hookName}"` : failure.phase;
  // core's HookError message already names the phase and hook; do not say it twice. The worker's
  // message may quote an endpoint (a bad OTEL_EXPORTER_OTLP_ENDPOINT): never repeat its secrets.
  const message = redactUrl(failure.message);
  return message.startsWith(`${failure.phase} hook`) ? message : `${what} failed: ${message}`;
}
