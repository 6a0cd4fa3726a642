import { registry as defaultRegistry, resolveDrainTimeout, resolveShutdownTimeout, runPrefork, type HookRegistry, type Runtime } from '@forkhooks/core';
import { newWorkerId, spawnEnv } from './spawn-env';
import { checkDuration, checkInteger, checkObject, checkRegistry, checkString } from './validate';

/** The options spawnChild and spawnThread share: who the worker is, and where its hooks come from. */
export interface SlotOptions {
  workerIndex?: number;
  generation?: number;
  workerId?: string;
  env?: NodeJS.ProcessEnv;
  shutdownTimeoutMs?: number;
  drainTimeoutMs?: number;
  registry?: HookRegistry;
}

/** A slot ready to be spawned: prefork has run, and the worker's environment carries its context. */
export interface PreparedSlot {
  workerIndex: number;
  generation: number;
  workerId: string;
  shutdownTimeoutMs: number;
  drainTimeoutMs: number;
  env: NodeJS.ProcessEnv;
}

/**
 * Validates the shared slot options, runs `prefork` for the worker about to be spawned (rejecting with
 * the HookError of a failed critical hook: nothing is spawned then), and builds its environment.
 */
export async function prepareSlot(caller: string, runtime: Runtime, options: SlotOptions): Promise<PreparedSlot> {
  checkInteger(caller, 'workerIndex', options.workerIndex, 0);
  checkInteger(caller, 'generation', options.generation, 0);
  checkDuration(caller, 'shutdownTimeoutMs', options.shutdownTimeoutMs);
  checkInteger(caller, 'drainTimeoutMs', options.drainTimeoutMs, 0);
  checkRegistry(caller, options.registry);
  checkString(caller, 'workerId', options.workerId);
  checkObject(caller, 'env', options.env);
  const { workerIndex = 0, generation = 0, registry = defaultRegistry } = options;
  const workerId = options.workerId ?? newWorkerId(workerIndex, generation);
  const shutdownTimeoutMs = resolveShutdownTimeout(options.shutdownTimeoutMs);
  const drainTimeoutMs = resolveDrainTimeout(options.drainTimeoutMs);
  await runPrefork({ registry, runtime, workerIndex, generation, workerId });
  const env = { ...(options.env ?? process.env), ...spawnEnv({ runtime, workerIndex, generation, workerId, shutdownTimeoutMs, drainTimeoutMs }) };
  return { workerIndex, generation, workerId, shutdownTimeoutMs, drainTimeoutMs, env };
}
