import { requestCount } from './drain';
import { EnvVars, envInteger } from './env';
import { log } from './logger';
import { notifyManager, type WorkerMessage } from './messages';
import { startOrphanWatchdog, type OrphanWatchdog } from './orphan-watchdog';
import { installRescue, unsentSpans } from './rescue/rescue-registry';
import { removeRescueSocket, rescueSetting } from './rescue/rescue-socket';
import { startEnv } from './worker-markers';

/** How often the main thread marks itself alive for the orphan watchdog (a store into shared memory). */
const TICK_MS = 250;

/**
 * In a worker whose manager asked for it (FORKHOOKS_HEARTBEAT_MS, set by runCluster): one small IPC
 * message per interval from an unref'd timer, off the request path, with the RSS and the request count
 * (the manager's watchdog and recycling read them), the spans a kill would lose now (rescue/), and the
 * address of its rescue; and a watchdog thread that ends this process when its primary has died and its
 * own event loop is blocked, and rescues a stuck main thread when its primary says so (rescue/).
 * Returns the stop, or undefined when not asked.
 */
export function startHeartbeat(stopBudgetMs: number, env: NodeJS.ProcessEnv = startEnv()): (() => void) | undefined {
  const everyMs = envInteger(env, EnvVars.HEARTBEAT_MS, 1);
  if (everyMs === undefined || typeof process.send !== 'function') return undefined;
  let watchdog: OrphanWatchdog | undefined;
  const rescue = rescueSetting(env);
  const address = 'address' in rescue ? rescue.address : undefined;
  if (address) {
    installRescue();
    // Whatever ends this process, bar a SIGKILL (then its primary, or its orphan watchdog, removes it).
    process.once('exit', () => removeRescueSocket(address));
  }
  try {
    watchdog = startOrphanWatchdog(stopBudgetMs, address);
  } catch (error) {
    log.warn(`could not start the orphan watchdog thread (${String(error)}); a blocked worker will outlive a dead primary`);
  }
  let lastBeat = 0;
  const timer = setInterval(() => {
    watchdog?.tick();
    const now = Date.now();
    if (now - lastBeat < everyMs) return;
    lastBeat = now;
    void notifyManager(beat(requestCount()));
  }, Math.min(TICK_MS, everyMs));
  timer.unref();
  // The first beat at once: the manager's clock for this worker starts here, before postfork.
  void notifyManager(beat(0));
  lastBeat = Date.now();
  return () => {
    clearInterval(timer);
    watchdog?.stop();
    removeRescueSocket(address);
  };

  function beat(requests: number): WorkerMessage {
    const rescueOf = watchdog && address ? { rescue: address } : { rescueOff: 'off' in rescue ? rescue.off : 'no watchdog thread' };
    return { forkhooks: 'heartbeat', pid: process.pid, rss: process.memoryUsage.rss(), requests, unsent: unsentSpans(), ...rescueOf };
  }
}
