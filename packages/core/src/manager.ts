/**
 * `@forkhooks/core/manager`: the door for authors of worker managers (forkhooks' own runCluster,
 * spawnChild and spawnThread, or another one). An application needs none of it: it imports
 * `@forkhooks/core`. Here: the stop plan and its budgets, the one shutdown of a process, its stop
 * paths, the messages between a manager and its workers, and the small helpers a manager shares.
 */

// The stop: one plan of stages with budgets, and the shutdown (drain, atexit, exit) built on it.
export { createStopPlan } from './stop/stop-plan';
export type { StageName, StopPlan, StopPlanOptions, StopPosition, StopRequest, StopStage } from './stop/stop-plan';
export { KILL_WAIT_MS, REPORT_MARGIN, STOP_MARGIN_MS, describeBudget, stopBudgetMs, timeLeft } from './stop/budget';
export type { Margin } from './stop/budget';
export { createShutdown, resolveShutdownTimeout, DEFAULT_SHUTDOWN_TIMEOUT_MS } from './shutdown';
export type { Shutdown, ShutdownOptions } from './shutdown';
export { installStopPaths, STOP_SIGNALS } from './stop-paths';
export type { StopHandler, StopPathsOptions } from './stop-paths';
export { INTERRUPT_EXIT_CODE, createInterruptGuard } from './interrupts';
export type { InterruptGuardOptions } from './interrupts';
export { DEFAULT_DRAIN_TIMEOUT_MS, resolveDrainTimeout } from './drain';

// The context a manager builds for its own hooks (prefork runs in it).
export { buildContext, detectRuntime } from './context';
// A worker's FORKHOOKS_* markers, taken out of process.env at start (its children never inherit them).
export { MARKER_VARS, isManaged, startEnv, workerMarkers } from './worker-markers';
export type { BaseContext } from './context';

// Messages between a manager and its workers.
export { MESSAGE_TAG, isMessage, notifyManager } from './messages';
export type { ManagerMessage, MetricFamily, MetricPoint, StopPhase, WorkerMessage } from './messages';

// Small helpers, one each.
export { settlesWithin } from './util/settles-within';
export { onceEach } from './util/once-each';
export { isThenable } from './util/is-thenable';

// The rescue of a stuck worker: what another package hands over (otel-init's tracing), and the primary's word to the worker's watchdog thread.
export { registerRescue } from './rescue/rescue-registry';
export { removeRescueSocket, STUCK_RESCUE_VAR } from './rescue/rescue-socket';
export { requestRescue } from './rescue/request-rescue';
export type { RescueRequest } from './rescue/rescue-thread';
export type { RescueDelivery, RescueHandler, RescueOutcome, RescueReport, StuckFrame, StuckStack } from './rescue/rescue-types';
