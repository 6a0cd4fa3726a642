import type { InstanceSummary } from './types/instance-summary';
import type { ReceiverStats } from './types/receiver-stats';

/** What `GET /` answers: enough to see with curl what arrived, and from which instance. */
export interface ReceiverSummary {
  tracesUrl: string;
  stats: ReceiverStats;
  instances: {
    instanceId: string | null;
    serviceName: string | null;
    pid: number | null;
    worker: InstanceSummary['worker'];
    spans: number;
  }[];
}

/** Builds the `GET /` document. */
export function buildSummary(tracesUrl: string, stats: ReceiverStats, instances: readonly InstanceSummary[]): ReceiverSummary {
  return {
    tracesUrl,
    stats,
    instances: instances.map((instance) => ({
      instanceId: instance.instanceId ?? null,
      serviceName: instance.serviceName ?? null,
      pid: instance.pid ?? null,
      worker: instance.worker,
      spans: instance.spans,
    })),
  };
}

/** One compact line of spans per instance, such as `3 spans: api#0 pid 123=2, api#1 pid 124=1`; for the CLI. */
export function formatInstances(total: number, instances: readonly InstanceSummary[]): string {
  const parts = instances.map((instance) => {
    const name = instance.serviceName ?? 'unknown_service';
    const slot = instance.workerIndex === undefined ? '' : `#${instance.workerIndex}`;
    const generation = instance.generation ? `.g${instance.generation}` : '';
    const who = instance.pid === undefined ? (instance.instanceId ?? 'no instance id').slice(0, 12) : `pid ${instance.pid}`;
    return `${name}${slot}${generation} ${who}=${instance.spans}`;
  });
  return `${total} span${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
