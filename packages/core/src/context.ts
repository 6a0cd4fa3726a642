import cluster from 'node:cluster';
import { isMainThread, threadId } from 'node:worker_threads';
import { InvalidEnvironmentError } from './errors/invalid-env.error';
import { EnvVars, envInteger } from './env';
import type { ContextOverrides, HookContext } from './types/hook-context';
import { startEnv } from './worker-markers';
import { RUNTIMES, type Runtime } from './types/phase';

/** A context without the per-run fields (`phase`, `signal`, `timeLeft`). */
export type BaseContext = Omit<HookContext, 'phase' | 'signal' | 'timeLeft'>;

/**
 * Which runtime started this process. A worker thread is checked first (it is never the PM2
 * instance itself, though it inherits PM2's environment); then PM2, because a PM2 cluster-mode
 * instance is also a node:cluster worker of PM2's daemon; then cluster, an IPC child, standalone.
 */
export function detectRuntime(env: NodeJS.ProcessEnv = startEnv()): Runtime {
  const declared = env[EnvVars.RUNTIME];
  if (declared !== undefined && declared !== '') {
    if (!RUNTIMES.includes(declared as Runtime)) {
      throw new InvalidEnvironmentError(EnvVars.RUNTIME, declared, RUNTIMES.join(' | '));
    }
    return declared as Runtime;
  }
  if (!isMainThread) return 'worker_threads';
  if (env.pm_id !== undefined || env.NODE_APP_INSTANCE !== undefined) return 'pm2';
  if (cluster.isWorker) return 'cluster';
  if (typeof process.send === 'function') return 'child_process';
  return 'standalone';
}

/** Builds the context of this process: explicit overrides, then FORKHOOKS_* variables, then what the runtime tells. */
export function buildContext(overrides: ContextOverrides = {}, env: NodeJS.ProcessEnv = startEnv()): BaseContext {
  const runtime = overrides.runtime ?? detectRuntime(env);
  const detected = detectSlot(runtime, env);
  const primaryPid = envInteger(env, EnvVars.PRIMARY_PID, 1) ?? detected.primaryPid;
  return {
    runtime,
    workerIndex: overrides.workerIndex ?? envInteger(env, EnvVars.WORKER_INDEX) ?? detected.workerIndex,
    generation: overrides.generation ?? envInteger(env, EnvVars.GENERATION) ?? detected.generation,
    workerId: overrides.workerId ?? env[EnvVars.WORKER_ID] ?? defaultWorkerId(runtime),
    pid: overrides.pid ?? process.pid,
    primaryPid: 'primaryPid' in overrides ? overrides.primaryPid : primaryPid,
    threadId: overrides.threadId ?? threadId,
    ...(overrides.reason !== undefined && { reason: overrides.reason }),
    ...(overrides.error !== undefined && { error: overrides.error }),
  };
}

interface Slot {
  workerIndex: number;
  generation: number;
  primaryPid: number | undefined;
}

function detectSlot(runtime: Runtime, env: NodeJS.ProcessEnv): Slot {
  switch (runtime) {
    case 'pm2':
      // NODE_APP_INSTANCE (renamed by the app's instance_var) is PM2's slot, kept on restart;
      // restart_time counts the restarts of the instance.
      return {
        workerIndex: envInteger(env, env.instance_var || 'NODE_APP_INSTANCE') ?? 0,
        generation: lenientInteger(env.restart_time),
        primaryPid: process.ppid,
      };
    case 'cluster':
      // Without runCluster's FORKHOOKS_WORKER_INDEX, cluster.worker.id is the best guess; it grows on respawn.
      return { workerIndex: Math.max(0, (cluster.worker?.id ?? 1) - 1), generation: 0, primaryPid: process.ppid };
    case 'child_process':
      return { workerIndex: 0, generation: 0, primaryPid: process.ppid };
    case 'worker_threads':
      return { workerIndex: Math.max(0, threadId - 1), generation: 0, primaryPid: process.pid };
    default:
      return { workerIndex: 0, generation: 0, primaryPid: undefined };
  }
}

/** PM2's own bookkeeping variables: read if they look right, never fatal. */
function lenientInteger(raw: string | undefined): number {
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

function defaultWorkerId(runtime: Runtime): string {
  return runtime === 'worker_threads' ? `${process.pid}/${threadId}` : String(process.pid);
}
