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

/** How many instances a progress line names; the rest are counted, so the line stays short. */
export const LINE_INSTANCES = 10;

/**
 * One compact line of spans per instance, such as `3 spans: api#0 pid 123=2, api#1 pid 124=1`; for the
 * CLI. At most `LINE_INSTANCES` instances, those with the most spans (in arrival order), then `… and K
 * more`; `untracked` spans came from instances beyond the receiver's maxInstances.
 */
export function formatInstances(total: number, instances: readonly InstanceSummary[], untracked = 0): string {
  const shown = instances.length <= LINE_INSTANCES ? instances : topBySpans(instances, LINE_INSTANCES);
  const parts = shown.map((instance) => {
    const name = (instance.serviceName ?? 'unknown_service').slice(0, 40);
    const slot = instance.workerIndex === undefined ? '' : `#${instance.workerIndex}`;
    const generation = instance.generation ? `.g${instance.generation}` : '';
    const who = instance.pid === undefined ? (instance.instanceId ?? 'no instance id').slice(0, 12) : `pid ${instance.pid}`;
    return `${name}${slot}${generation} ${who}=${instance.spans}`;
  });
  if (instances.length > shown.length) parts.push(`… and ${instances.length - shown.length} more`);
  if (untracked > 0) parts.push(`${untracked} from instances beyond max-instances`);
  return `${total} span${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** The `n` instances with the most spans, kept in arrival order. */
function topBySpans(instances: readonly InstanceSummary[], n: number): InstanceSummary[] {
  const top = new Set([...instances].sort((a, b) => b.spans - a.spans).slice(0, n));
  return instances.filter((instance) => top.has(instance));
}
