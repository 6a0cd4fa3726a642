import { createInterruptGuard } from '../interrupts';
import { log } from '../logger';
import type { ExitReason } from '../types/phase';
import { onceEach } from '../util/once-each';

/** The parts a stop goes through, in order: a manager stops its `workers` first; then every process its `drain` and its `atexit`. */
export type StageName = 'workers' | 'drain' | 'atexit';

/** Why a stop began, as the stop paths say it. */
export interface StopRequest {
  readonly reason: ExitReason;
  readonly error?: unknown;
  /** What asked: `SIGTERM`, `stop message`, `uncaught exception` ... */
  readonly detail?: string;
  /** The signal that began the stop (`SIGTERM`, `SIGINT` ...); undefined when no signal did. */
  readonly signal?: NodeJS.Signals;
}

/** One part of a stop, bounded by its own budget. */
export interface StopStage {
  readonly name: StageName;
  /** What the stage may take, as planned when the stop begins (ms): the "ms left" of a repeated Ctrl-C counts it. */
  readonly plannedMs: number;
  /** The stage's budget, fixed when it starts; default `plannedMs` (an atexit that shares the deadline gets what the drain left). */
  budgetMs?(): number;
  /** Runs the stage within `budgetMs`; resolves false when the budget ran out and cut the stage off. */
  run(budgetMs: number): Promise<boolean>;
  /** Where the stage is, for a repeated Ctrl-C (default by name: `drain of open requests`, `atexit running`). */
  progress?(): string;
}

/** Where a stop is: in one of its stages, or done with them (`exit`). */
export type StopPosition = StageName | 'exit';

/** What `createStopPlan` needs. */
export interface StopPlanOptions<R> {
  /** The stages of this stop, built when it begins; they run in order. */
  stages(request: StopRequest): readonly StopStage[];
  /** After the stages: says how it went and ends the process with `exitCode`; what it returns is what `stop()` resolves with. */
  end(request: StopRequest, exitCode: number): Promise<R>;
  /** Answer a repeated Ctrl-C: the 2nd says how far the stop is, the 3rd exits 130. Default true. */
  forceOnInterrupt?: boolean;
  /** What a forced exit cuts off (it may first kill what must die: a manager's workers). Default: by stage. */
  force?(position: StopPosition): string;
  /** A repeated request that is expected (a managed worker hears both its manager and the terminal): logged at debug, not "already stopping" at info. */
  expected?(request: StopRequest): boolean;
  /** May raise the exit code the plan picked (0, or 1 after a fatal error or a forced end). */
  exitCode?(code: number): number;
  /** How the process ends on a forced exit; default `process.exit`. */
  exit?: (code: number) => void;
}

/** One stop of one process: the first `stop()` runs the stages, later calls get the same promise. */
export interface StopPlan<R> {
  stop(reason: ExitReason, error?: unknown, detail?: string): Promise<R>;
  readonly stopping: boolean;
  /** The stage the stop is in; undefined before it began. */
  readonly position: StopPosition | undefined;
  /** Something had to be forced (a worker SIGKILLed): a stop that would exit 0 exits 1. */
  forced(): void;
}

const PROGRESS: Record<StopPosition, string> = { workers: 'stopping the workers', drain: 'drain of open requests', atexit: 'atexit running', exit: 'exit' };

/** What a forced exit cuts off in each position, when the plan's owner does not say. */
function cutOff(position: StopPosition): string {
  return position === 'atexit' ? 'the atexit hooks still running (a span flush among them)' : `the ${PROGRESS[position]} and every atexit hook`;
}

/**
 * The one stop of a process, a worker's and a manager's alike: its stages in order, each within its
 * budget; where it is (for a repeated Ctrl-C, answered by the interrupt guard); "already stopping"
 * said once per kind of request; one line when a budget cut a stage off, naming it; the exit code.
 */
export function createStopPlan<R>(options: StopPlanOptions<R>): StopPlan<R> {
  let running: Promise<R> | undefined;
  let position: StopPosition | undefined;
  let current: StopStage | undefined;
  let endsAt = 0;
  let forced = 0;
  const ignored = onceEach();
  const interrupts = createInterruptGuard({
    progress: () => `${current?.progress?.() ?? PROGRESS[position ?? 'drain']}, up to ${Math.max(0, endsAt - Date.now())} ms left`,
    force: () => (options.force ?? cutOff)(position ?? 'drain'),
    exit: options.exit,
  });

  async function run(request: StopRequest): Promise<R> {
    const stages = options.stages(request);
    const cut: string[] = [];
    for (const [index, stage] of stages.entries()) {
      const budgetMs = stage.budgetMs?.() ?? stage.plannedMs;
      const later = stages.slice(index + 1).reduce((sum, s) => sum + s.plannedMs, 0);
      [position, current, endsAt] = [stage.name, stage, Date.now() + budgetMs + later];
      if (!(await stage.run(budgetMs))) cut.push(`${stage.name} (${budgetMs} ms)`);
    }
    [position, current] = ['exit', undefined];
    // Once, however many stages ran out: the lines each stage said name what it cut.
    if (cut.length > 0) log.warn(`stop cut off by its deadline: ${cut.length === 1 ? 'the stage' : 'the stages'} ${cut.join(', ')} ran out of time`);
    const code = request.reason === 'error' || forced > 0 ? 1 : 0;
    return options.end(request, options.exitCode?.(code) ?? code);
  }

  return {
    get stopping() {
      return running !== undefined;
    },
    get position() {
      return position;
    },
    forced() {
      forced += 1;
    },
    stop(reason, error, detail) {
      const request: StopRequest = { reason, ...(error !== undefined && { error }), ...(detail !== undefined && { detail }), ...stopSignal(reason, detail) };
      if (running) {
        if (options.forceOnInterrupt !== false && interrupts.handle(detail)) return running;
        const what = detail ?? reason;
        // Once per kind: a flood of the same event (an error in a loop) must not become a flood of lines.
        if (options.expected?.(request)) log.debug(`already stopping; ignoring ${what}`);
        else if (ignored(what)) log.info(`already stopping; ignoring ${what}`);
        return running;
      }
      running = run(request);
      return running;
    },
  };
}

/** The signal of a stop the stop paths began on a signal (they pass its name as the detail). */
function stopSignal(reason: ExitReason, detail: string | undefined): { signal?: NodeJS.Signals } {
  return reason === 'signal' && detail !== undefined && /^SIG[A-Z0-9]+$/.test(detail) ? { signal: detail as NodeJS.Signals } : {};
}
