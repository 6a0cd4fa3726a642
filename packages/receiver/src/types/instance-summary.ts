import type { Attributes } from './received-span';

/** Resource attribute prefix of the worker attributes that `@forkhooks/otel-init` sets. */
export const WORKER_ATTRIBUTE_PREFIX = 'forkhooks.worker.';

/** What the receiver saw from one `service.instance.id` (one process or thread, in forkhooks terms). */
export interface InstanceSummary {
  /** The resource's `service.instance.id`; undefined groups every span whose resource has none. */
  instanceId: string | undefined;
  /** `service.name`, when set. */
  serviceName: string | undefined;
  /** `process.pid`, when set. */
  pid: number | undefined;
  /** `forkhooks.worker.index`, when set. */
  workerIndex: number | undefined;
  /** `forkhooks.worker.generation`, when set. */
  generation: number | undefined;
  /** `forkhooks.worker.runtime`, when set. */
  runtime: string | undefined;
  /** Every `forkhooks.worker.*` resource attribute, keyed without the prefix (`index`, `generation`, `runtime`, ...). */
  worker: Attributes;
  /** The resource attributes of the latest request from this instance. */
  resource: Attributes;
  /** Spans received from this instance, including any dropped by `maxSpans`. */
  spans: number;
  /** When the first and the latest span of this instance arrived (ms since the epoch). */
  firstSeenMs: number;
  lastSeenMs: number;
}
