import cluster from 'node:cluster';
import { isMainThread, parentPort } from 'node:worker_threads';
import { log } from './logger';
import { isMessage } from './messages';
import { guardStdStreams, isStdStreamError } from './std-streams';
import type { ExitReason } from './types/phase';

/** The signals that stop a worker, a primary or a standalone process gracefully (Windows emits only these three). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGTERM', 'SIGINT', 'SIGHUP'] : ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/** Called for every request to stop; the shutdown it starts must be idempotent. */
export type StopHandler = (reason: ExitReason, error?: unknown, detail?: string) => void;

/** Options of installStopPaths. */
export interface StopPathsOptions {
  /**
   * In a worker: the signal its manager keeps for itself (runCluster's reloadSignal). A terminal that
   * closes sends SIGHUP to the whole process group; the primary reloads on it, so its workers must not
   * stop on their own: they ignore it and stop when the primary says so (the reload's stop message).
   */
  managerSignal?: NodeJS.Signals;
}

/**
 * Wires every way a worker can be told to stop, or can fail, to one handler (the exit-hook habit:
 * one place, every path). Returns a function that removes every listener it added.
 */
export function installStopPaths(onStop: StopHandler, options: StopPathsOptions = {}): () => void {
  // A log pipe that went away is no reason to stop, and must not loop through the handlers below.
  guardStdStreams();
  const undo: Array<() => void> = [];
  const on = (emitter: NodeJS.EventEmitter, event: string, listener: (...args: unknown[]) => void, first = false): void => {
    if (first) emitter.prependListener(event, listener);
    else emitter.on(event, listener);
    undo.push(() => emitter.removeListener(event, listener));
  };

  // A signal listener replaces Node's default exit (which skips atexit), so every catchable stop
  // signal is a graceful stop: TERM, INT (Ctrl-C), HUP (a closed terminal or SSH session), QUIT,
  // USR2 (nodemon's restart). Worker threads get no signals through process.on: their parent sends a
  // stop message instead.
  if (isMainThread) {
    for (const signal of STOP_SIGNALS) {
      if (signal === options.managerSignal) on(process, signal, () => log.debug(`${signal} ignored: the primary reloads on it (reloadSignal) and stops this worker when its replacement is ready`));
      else on(process, signal, () => onStop('signal', undefined, signal));
    }
  }

  if (typeof process.send === 'function') {
    // The channel closed before we got here (the manager stopped this worker while the app was still
    // loading): 'disconnect' has fired already and will not fire again, so stop now, the same way.
    if (!process.connected) {
      const timer = setImmediate(() => onStop('disconnect', undefined, 'IPC channel closed before start'));
      undo.push(() => clearImmediate(timer));
    }
    // The IPC channel closed: a graceful worker.disconnect() from the primary, or the primary died.
    // In the second case Node's cluster code calls process.exit(0) from its own 'disconnect'
    // listener, before anything async can run (lib/internal/cluster/child.js), and buffered spans
    // die with it. Run first, mark the exit as expected so Node leaves it to us, and exit after atexit.
    on(
      process,
      'disconnect',
      () => {
        if (cluster.worker) cluster.worker.exitedAfterDisconnect = true;
        onStop('disconnect', undefined, 'IPC channel closed');
      },
      true,
    );
    // PM2 sends the string 'shutdown' instead of SIGINT when the app sets shutdown_with_message
    // (Windows, or apps that must not trap signals); our own managers send { forkhooks: 'stop' }.
    on(process, 'message', (message: unknown) => {
      if (message === 'shutdown' || isMessage(message, 'stop')) onStop('message', undefined, 'stop message');
    });
  }

  if (parentPort) {
    const port = parentPort;
    const listener = (message: unknown): void => {
      if (isMessage(message, 'stop')) onStop('message', undefined, 'stop message');
    };
    port.on('message', listener);
    undo.push(() => port.off('message', listener));
  }

  // With these listeners Node no longer prints and exits on its own: the shutdown does both.
  on(process, 'uncaughtException', (error: unknown) => {
    if (!isStdStreamError(error)) onStop('error', error, 'uncaught exception');
  });
  on(process, 'unhandledRejection', (reason: unknown) => onStop('error', reason, 'unhandled rejection'));
  // The event loop ran dry: nothing keeps the worker alive, so it ends as if told to.
  on(process, 'beforeExit', () => onStop('exit', undefined, 'event loop empty'));

  return () => undo.forEach((remove) => remove());
}
