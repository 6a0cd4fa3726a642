// The one door from another signal into tracing (eslint.config.js lets metrics/ import this file and
// nothing else of tracing/): what a signal may know of the tracing that runs in this process. Metrics
// take its resource, so a worker's spans and metrics name the same service instance.
import type { Attributes } from '@opentelemetry/api';
import { currentTracing } from './init-tracing';

/** The resource attributes of this process's tracing, when initTracing ran and tracing is on; else undefined. */
export function tracingResource(): Attributes | undefined {
  const tracing = currentTracing();
  return tracing?.enabled ? tracing.resourceAttributes : undefined;
}
