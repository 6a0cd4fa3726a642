import 'reflect-metadata';

export { prefork } from './decorators/prefork';
export { postfork } from './decorators/postfork';
export { atexit } from './decorators/atexit';
export type { HookDecorator, MethodHookDecorator } from './decorators/hook-decorator.type';

export { HookRegistry } from './registry';
export type { InstanceRegistration } from './registry';
export { registry } from './default-registry';
export { DEFAULT_TIMEOUT_MS } from './options';

export { startWorker, shutdown } from './start-worker';
export type { StartWorkerOptions, WorkerMain } from './start-worker';
export { runPrefork } from './run-prefork';
export { closeOnStop } from './close-on-stop';
export type { Closable, PromiseClosable, ServerClosable } from './closable';
export { DEFAULT_DRAIN_TIMEOUT_MS, resolveDrainTimeout, requestCount } from './drain';
export { ORPHAN_BLOCKED_MS } from './orphan-watchdog';
export type { RunPreforkOptions } from './run-prefork';
export { detectRuntime } from './context';
export { resolveShutdownTimeout, DEFAULT_SHUTDOWN_TIMEOUT_MS } from './shutdown';
export { EnvVars, envInteger } from './env';
export { configureLogger, log } from './logger';
export type { LogLevel, LogSink } from './logger';

export { ErrorCodes } from './errors/codes';
export type { ErrorCode } from './errors/codes';
export { HookError } from './errors/hook.error';
export { HookTimeoutError } from './errors/hook-timeout.error';
export { LateHookError } from './errors/late-hook.error';
export { InvalidHookOptionError } from './errors/invalid-option.error';
export { DecoratorTargetError } from './errors/decorator-target.error';
export { InvalidEnvironmentError } from './errors/invalid-env.error';

export { PHASES, RUNTIMES } from './types/phase';
export type { ExitReason, Phase, Runtime } from './types/phase';
export type { ContextOverrides, HookContext } from './types/hook-context';
// ctx.timeLeft(margin): what a hook that must report why it stopped keeps back from its deadline.
export { REPORT_MARGIN } from './stop/budget';
export type { Margin } from './stop/budget';
export type { AtexitScope, HookFn, HookOptions, ResolvedHookOptions } from './types/hook-options';
export { ATEXIT_SCOPES } from './types/hook-options';
export type { HookResult, HookStatus, ProcessRole, RegisteredHook, RunContext, RunReport } from './types/hook-result';
export { redactUrl } from './redact';
export { describe as describeError, safeStack, isInstance } from './errors/hook.error';

// Manager-facing names, still here for old imports: their door is '@forkhooks/core/manager'.
// (The tag sits on each name: on the export statement an editor would not show it.)
export {
  /** @deprecated import from '@forkhooks/core/manager' */
  INTERRUPT_EXIT_CODE,
  /** @deprecated import from '@forkhooks/core/manager' */
  createInterruptGuard,
} from './interrupts';
export type {
  /** @deprecated import from '@forkhooks/core/manager' */
  InterruptGuardOptions,
} from './interrupts';
export {
  /** @deprecated import from '@forkhooks/core/manager' */
  buildContext,
} from './context';
export type {
  /** @deprecated import from '@forkhooks/core/manager' */
  BaseContext,
} from './context';
export {
  /** @deprecated import from '@forkhooks/core/manager' */
  createShutdown,
} from './shutdown';
export type {
  /** @deprecated import from '@forkhooks/core/manager' */
  Shutdown,
  /** @deprecated import from '@forkhooks/core/manager' */
  ShutdownOptions,
} from './shutdown';
export {
  /** @deprecated import from '@forkhooks/core/manager' */
  installStopPaths,
  /** @deprecated import from '@forkhooks/core/manager' */
  STOP_SIGNALS,
} from './stop-paths';
export type {
  /** @deprecated import from '@forkhooks/core/manager' */
  StopHandler,
} from './stop-paths';
export {
  /** @deprecated import from '@forkhooks/core/manager' */
  MESSAGE_TAG,
  /** @deprecated import from '@forkhooks/core/manager' */
  isMessage,
  /** @deprecated import from '@forkhooks/core/manager' */
  notifyManager,
} from './messages';
export type {
  /** @deprecated import from '@forkhooks/core/manager' */
  ManagerMessage,
  /** @deprecated import from '@forkhooks/core/manager' */
  MetricFamily,
  /** @deprecated import from '@forkhooks/core/manager' */
  MetricPoint,
  /** @deprecated import from '@forkhooks/core/manager' */
  StopPhase,
  /** @deprecated import from '@forkhooks/core/manager' */
  WorkerMessage,
} from './messages';
