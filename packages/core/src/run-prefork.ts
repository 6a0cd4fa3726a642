import { threadId } from 'node:worker_threads';
import { registry as defaultRegistry } from './default-registry';
import type { HookRegistry } from './registry';
import type { ContextOverrides } from './types/hook-context';
import type { RunReport } from './types/hook-result';

/** Options of `runPrefork`: the context of the worker about to be spawned, and the registry. */
export interface RunPreforkOptions extends ContextOverrides {
  registry?: HookRegistry;
}

/**
 * For a manager of your own: call in the primary before each spawn, with the slot of the worker
 * about to be spawned. Runs `prefork` (rejects with the HookError of a failed critical hook).
 */
export function runPrefork(options: RunPreforkOptions = {}): Promise<RunReport> {
  const { registry = defaultRegistry, ...overrides } = options;
  const workerIndex = overrides.workerIndex ?? 0;
  const generation = overrides.generation ?? 0;
  return registry.run('prefork', {
    runtime: 'custom',
    workerId: `${process.pid}:${workerIndex}:${generation}`,
    pid: process.pid,
    primaryPid: process.pid,
    threadId,
    ...overrides,
    workerIndex,
    generation,
  });
}
