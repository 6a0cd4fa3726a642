import { describeBudget, KILL_WAIT_MS, settlesWithin, stopBudgetMs } from '@forkhooks/core/manager';
import { log } from './log';

/** A manager's side of one worker it stops: a cluster worker, a child process or a thread. */
export interface StopLink {
  /** Asks the worker to stop (drain, then atexit): the stop message, or SIGTERM where no channel is left. */
  ask(): void;
  /** Settles when the worker has exited. */
  readonly exited: Promise<unknown>;
  /** Whether it is gone already (nothing left to force). */
  gone(): boolean;
  /** The one line said when its budget ran out, given the budget spelled out: who, and what ending it now cuts off. */
  overran(budget: string): string;
  /** Ends it now (SIGKILL by pid, or terminate a thread); marks it forced. */
  force(): unknown;
}

/** The budgets a worker was given: its drain and its atexit deadline (the manager adds its grace margin). */
export interface StopBudget {
  drainTimeoutMs: number;
  shutdownTimeoutMs: number;
}

/**
 * The one stop-with-a-budget-then-kill: asks every worker to stop at once, waits for them all up
 * to drain + deadline + grace, then forces each one still there, in one line each saying what was
 * cut off, and waits a little for them to be reported gone. Resolves true when all exited in time.
 */
export async function stopWithinBudget(links: readonly StopLink[], { drainTimeoutMs, shutdownTimeoutMs }: StopBudget): Promise<boolean> {
  for (const link of links) link.ask();
  const all = Promise.all(links.map((l) => l.exited));
  if (await settlesWithin(all, stopBudgetMs(drainTimeoutMs, shutdownTimeoutMs))) return true;
  const budget = describeBudget(drainTimeoutMs, shutdownTimeoutMs);
  const forcing: unknown[] = [];
  for (const link of links.filter((l) => !l.gone())) {
    log.warn(link.overran(budget));
    forcing.push(link.force());
  }
  await Promise.all(forcing);
  await settlesWithin(all, KILL_WAIT_MS);
  return false;
}

/** SIGKILLs `pid`; one already gone is no error. */
export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
