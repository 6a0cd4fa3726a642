import { isMessage, notifyManager } from '../messages';

/** The most a worker waits for its primary's answer before it exits anyway. */
export const ROUTING_BARRIER_MS = 1_000;

/**
 * The last step of a cluster worker's drain, before atexit and the exit: it tells its runCluster
 * primary that its servers are closed, and waits for the answer. Why: node:cluster's primary hands
 * each new connection to a worker over IPC (round-robin), and a connection handed to a worker that
 * exits before it reads the message is never closed nor handed to another worker: its client hangs
 * until its own timeout (issue 22's scale-down flake). A worker's server.close() tells the primary to
 * stop routing to it, but sends no answer. IPC keeps order both ways, so once the primary's answer to
 * a message sent after the close arrives, the primary has read the close, and every connection it
 * handed over before it has arrived too (and was handed back: a closed server refuses it, and the
 * primary gives it to another worker). Resolves true on the answer, false after `timeoutMs` or when
 * the channel closes (a primary that is gone hands over nothing more).
 */
export function primaryStoppedRouting(timeoutMs = ROUTING_BARRIER_MS): Promise<boolean> {
  if (typeof process.send !== 'function' || !process.connected) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onMessage = (message: unknown): void => {
      if (isMessage(message, 'routing-stopped')) done(true);
    };
    const onDisconnect = (): void => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(answered: boolean): void {
      clearTimeout(timer);
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      resolve(answered);
    }
    process.on('message', onMessage);
    process.once('disconnect', onDisconnect);
    void notifyManager({ forkhooks: 'servers-closed', pid: process.pid }, timeoutMs);
  });
}
