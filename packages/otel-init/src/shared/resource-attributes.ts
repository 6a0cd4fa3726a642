import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { BaseContext } from '@forkhooks/core/manager';
import type { Attributes } from '@opentelemetry/api';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { envResourceAttributes } from './resource-env';

// Incubating semantic conventions, copied as the OpenTelemetry docs advise (the incubating
// entry point loads thousands of constants into every worker).
/** `service.instance.id`: unique per worker process. */
export const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';
/** `process.pid`. */
export const ATTR_PROCESS_PID = 'process.pid';

/** forkhooks' own attributes: a worker's stable slot keeps metric cardinality low, unlike a pid. */
export const ATTR_WORKER_INDEX = 'forkhooks.worker.index';
/** How many times the slot was respawned. */
export const ATTR_WORKER_GENERATION = 'forkhooks.worker.generation';
/** cluster, child_process, worker_threads, pm2, standalone or custom. */
export const ATTR_WORKER_RUNTIME = 'forkhooks.worker.runtime';
/** Unique per spawned worker, as the manager named it. */
export const ATTR_WORKER_ID = 'forkhooks.worker.id';

/** The resource attributes of this worker: who it is, on top of `extra`, on top of OTEL_RESOURCE_ATTRIBUTES. */
export function workerAttributes(ctx: BaseContext, serviceName: string | undefined, extra: Attributes = {}): Attributes {
  return {
    ...envResourceAttributes(),
    ...extra,
    ...(serviceName !== undefined && { [ATTR_SERVICE_NAME]: serviceName }),
    [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
    [ATTR_PROCESS_PID]: ctx.pid,
    [ATTR_WORKER_INDEX]: ctx.workerIndex,
    [ATTR_WORKER_GENERATION]: ctx.generation,
    [ATTR_WORKER_RUNTIME]: ctx.runtime,
    [ATTR_WORKER_ID]: ctx.workerId,
  };
}

/**
 * `service.name` when nothing names the service: `unknown_service:` and the executable's name, as the
 * spec says (`process.executable.name`: `unknown_service:node`). The SDK puts `process.argv0` there,
 * which is a path (`unknown_service:/usr/bin/node`) when the process was started by its path.
 */
export function defaultServiceName(argv0: string = process.argv0): string {
  const name = basename(argv0 || '');
  return name ? `unknown_service:${name}` : 'unknown_service';
}
