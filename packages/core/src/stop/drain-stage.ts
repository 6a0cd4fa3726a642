import type { BaseContext } from '../context';
import { drainServers, drainTargetCount } from '../drain';
import type { StopPhase } from '../messages';
import type { HookRegistry } from '../registry';
import { settlesWithin } from '../util/settles-within';
import { primaryStoppedRouting, ROUTING_BARRIER_MS } from './routing-barrier';
import type { StopRequest, StopStage } from './stop-plan';

/** What the drain and atexit stages of a process's stop share: its options, and when its own part of the stop began. */
export interface ProcessStop {
  readonly registry: HookRegistry;
  readonly context: BaseContext;
  /** Deadline of the atexit stage. */
  readonly timeoutMs: number;
  readonly drainTimeoutMs: number;
  /** The drain comes out of `timeoutMs` (PM2 kills at a fixed time). */
  readonly drainSharesDeadline: boolean;
  /** Told when the stop reaches its drain and its atexit (a managed worker tells its manager). */
  readonly onPhase?: (phase: StopPhase) => void;
  /** A runCluster worker: once its servers are closed, it waits until the primary routes it no more connections. */
  readonly routingBarrier?: boolean;
  /** Settles before atexit starts: start-up hooks still running (aborted first). */
  readonly before?: () => Promise<unknown>;
  /** Settled `before`, once the drain stage has started. */
  started?: Promise<unknown>;
  /** When the drain stage began (epoch ms): a shared deadline counts from here. */
  startedAt?: number;
}

/**
 * The drain: says the stop began (the fatal line, or what the stop will do and within what), aborts
 * start-up hooks still running, waits for them, then closes the servers given to closeOnStop, all
 * within the drain's own bound. Ran out: start-up did not settle in time, or requests were cut.
 */
export function drainStage(stop: ProcessStop, request: StopRequest, announce: (request: StopRequest, servers: number) => void): StopStage {
  const servers = drainTargetCount(stop.registry);
  const { drainTimeoutMs, timeoutMs, drainSharesDeadline } = stop;
  // Nothing to wait for (a manager's primary: no start-up of its own, no server): no time planned.
  const idle = servers === 0 && stop.before === undefined;
  return {
    name: 'drain',
    plannedMs: idle ? 0 : drainSharesDeadline ? Math.min(drainTimeoutMs, timeoutMs) : drainTimeoutMs,
    budgetMs: () => drainTimeoutMs,
    async run(budgetMs) {
      stop.startedAt = Date.now();
      announce(request, servers);
      stop.registry.beginShutdown(new Error(`shutdown started (${request.detail ?? request.reason})`));
      // The drain has its own bound: requests in flight end (their spans too) before atexit, whose
      // deadline starts only after it. Start-up still running settles first, within the same bound.
      stop.onPhase?.('drain');
      const drainEnd = Date.now() + budgetMs;
      const before = (stop.started = stop.before?.().catch(() => undefined) ?? Promise.resolve());
      if (!(await settlesWithin(before, budgetMs))) return false;
      const drained = await drainServers(stop.registry, Math.max(0, drainEnd - Date.now()));
      if (stop.routingBarrier && servers > 0) await primaryStoppedRouting(ROUTING_BARRIER_MS);
      return drained;
    },
  };
}

/** The opening line of a stop, before the drain: what it will do, within what. */
export function stoppingLine(stop: ProcessStop, request: StopRequest, servers: number): string {
  const drain = servers > 0 ? `draining ${servers} server(s) (up to ${stop.drainTimeoutMs} ms), then ` : '';
  const shared = stop.drainSharesDeadline && servers > 0 ? ' (shared with the drain)' : '';
  return `stopping (${request.detail ?? request.reason}): ${drain}running atexit hooks, deadline ${stop.timeoutMs} ms${shared}`;
}
