import { buildContext, type BaseContext } from './context';
import { resolveDrainTimeout } from './drain';
import { EnvVars } from './env';
import { startHeartbeat } from './heartbeat';
import { HookError, describe, isInstance } from './errors/hook.error';
import { log } from './logger';
import { notifyManager, type WorkerMessage } from './messages';
import { registry as defaultRegistry } from './default-registry';
import type { HookRegistry } from './registry';
import { createShutdown, resolveShutdownTimeout, type Shutdown } from './shutdown';
import { installStopPaths } from './stop-paths';
import { stopBudgetMs, timeLeft } from './stop/budget';
import type { ContextOverrides, HookContext } from './types/hook-context';
import { isManaged, workerMarkers } from './worker-markers';

/** Options of `startWorker`: context overrides, plus the registry and the shutdown deadline. */
export interface StartWorkerOptions extends ContextOverrides {
  /** Default: the process-wide `registry`. */
  registry?: HookRegistry;
  /** Deadline for all atexit hooks. Default: FORKHOOKS_SHUTDOWN_TIMEOUT_MS, else under PM2 its kill_timeout less 200 ms, else 10,000. */
  shutdownTimeoutMs?: number;
  /**
   * How long requests in flight may take to finish when the worker stops (servers given to closeOnStop),
   * before atexit and outside its deadline; connections still open then are cut. 0: cut at once.
   * Default: FORKHOOKS_DRAIN_TIMEOUT_MS (set by forkhooks' managers), else 10,000; under PM2, half of the
   * deadline, taken out of it (PM2 kills at kill_timeout).
   */
  drainTimeoutMs?: number;
}

/** The worker's main function: runs after postfork, receives the same context. */
export type WorkerMain = (ctx: HookContext) => unknown;

let current: Shutdown | undefined;

/**
 * Starts this process (or thread) as a worker: detects the runtime, runs `postfork` (standalone:
 * `prefork` first), then `main(ctx)`, and wires every stop path to one `atexit` run within a
 * deadline, then exits (0 on a graceful stop, 1 on a fatal error). Resolves with the context once
 * main has resolved; on a failed start it does not resolve, the process exits instead.
 */
export function startWorker(main?: WorkerMain, options: StartWorkerOptions = {}): Promise<HookContext> {
  if (current) throw new Error('startWorker was already called in this process; call it once, from the worker entry point');
  const { registry: reg = defaultRegistry, shutdownTimeoutMs, drainTimeoutMs, ...overrides } = options;
  // Reads the FORKHOOKS_* markers and takes them out of process.env: this worker's children start as themselves.
  const context = buildContext(overrides);
  const managed = isManaged();
  const timeoutMs = resolveShutdownTimeout(shutdownTimeoutMs);
  // PM2 SIGKILLs at kill_timeout whatever we do: unless told otherwise, the drain takes at most half
  // of that deadline and atexit gets the rest, instead of a drain on top that PM2 would cut short.
  const pm2Shares = context.runtime === 'pm2' && drainTimeoutMs === undefined && !process.env[EnvVars.DRAIN_TIMEOUT_MS];

  let startup: Promise<unknown> = Promise.resolve();
  const drainMs = pm2Shares ? Math.floor(timeoutMs / 2) : resolveDrainTimeout(drainTimeoutMs);
  const shutdown = createShutdown({
    registry: reg,
    context,
    timeoutMs,
    drainTimeoutMs: drainMs,
    drainSharesDeadline: pm2Shares,
    // A managed worker shares the terminal's Ctrl-C with its manager, which forces the stop for all.
    forceOnInterrupt: !managed,
    onPhase: (phase) => {
      if (managed) void notifyManager({ forkhooks: 'stopping', pid: process.pid, phase });
    },
    // node:cluster loses a connection it hands to a worker that exits before reading it: a runCluster
    // worker waits for its primary's word that it routes it no more (stop/routing-barrier.ts).
    routingBarrier: managed && context.runtime === 'cluster',
    before: () => startup,
    beforeExit: async (code, _reason, error) => {
      if (code !== 0 && managed) await notifyManager(failure(error));
    },
  });
  current = shutdown;
  installStopPaths((reason, error, detail) => void shutdown.stop(reason, error, detail), { managerSignal: managed ? managerSignal() : undefined });
  process.on('exit', () => warnIfSkipped(reg, shutdown));
  // Only when the manager asks (runCluster's heartbeatTimeoutMs): beats to it, and the orphan watchdog,
  // which gives an orphan with a live event loop the budget its manager would have given it.
  if (managed) startHeartbeat(stopBudgetMs(drainMs, timeoutMs));

  return new Promise<HookContext>((resolve) => {
    const started = performance.now();
    startup = runStartup(reg, context);
    startup.then(
      async () => {
        if (shutdown.stopping) return;
        // main has no deadline: timeLeft() is Infinity.
        const ctx: HookContext = { ...context, phase: 'postfork', signal: reg.shutdownSignal, timeLeft: () => timeLeft(undefined) };
        const hooks = reg.hooks('postfork').length;
        log.info(`worker started (${describeWorker(context)}): ${hooks} postfork hook(s) in ${(performance.now() - started).toFixed(1)} ms`);
        try {
          await main?.(ctx);
        } catch (error) {
          void shutdown.stop('error', error, 'main failed');
          return;
        }
        if (shutdown.stopping) return;
        if (context.runtime === 'pm2') await notifyManager('ready');
        else if (managed) await notifyManager({ forkhooks: 'ready', pid: process.pid, workerIndex: context.workerIndex, generation: context.generation });
        resolve(ctx);
      },
      (error: unknown) => {
        if (!shutdown.stopping) void shutdown.stop('error', error, 'start-up failed');
      },
    );
  });
}

/**
 * Stops this worker as if its manager had asked: runs `atexit` with reason `'exit'` within the deadline,
 * then exits 0. Use it instead of `process.exit()`, which skips every atexit hook.
 */
export function shutdown(): Promise<unknown> {
  if (!current) return Promise.reject(new Error('shutdown() needs a worker started with startWorker() in this process'));
  return current.stop('exit', undefined, 'shutdown() called');
}

/** `exit` listeners are synchronous: all that is left is to say which hooks a direct process.exit() skipped. */
function warnIfSkipped(reg: HookRegistry, shutdown: Shutdown): void {
  const skipped = reg.hooks('atexit');
  if (shutdown.stopping || skipped.length === 0) return;
  log.warn(
    `process.exit() was called before atexit ran: ${skipped.map((h) => h.name).join(', ')} did not run; ` +
      'call shutdown() from @forkhooks/core (or let the manager stop the worker) instead',
  );
}

async function runStartup(reg: HookRegistry, context: BaseContext): Promise<void> {
  // With no manager at all, this process is its own primary: the same code traces in development.
  if (context.runtime === 'standalone') await reg.run('prefork', context);
  await reg.run('postfork', context);
}

function failure(error: unknown): Extract<WorkerMessage, { forkhooks: 'failed' }> {
  const hookError = isInstance(error, HookError) ? error : undefined;
  return {
    forkhooks: 'failed',
    pid: process.pid,
    phase: hookError?.phase ?? 'main',
    hookName: hookError?.hookName,
    message: describe(error),
  };
}

function describeWorker(ctx: BaseContext): string {
  return `runtime=${ctx.runtime} index=${ctx.workerIndex} generation=${ctx.generation}`;
}

/** The signal this worker's manager keeps for itself (runCluster's reloadSignal), from FORKHOOKS_RELOAD_SIGNAL. */
function managerSignal(): NodeJS.Signals | undefined {
  const signal = workerMarkers()[EnvVars.RELOAD_SIGNAL];
  return signal === 'SIGHUP' || signal === 'SIGUSR2' ? signal : undefined;
}
