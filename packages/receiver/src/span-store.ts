import { ReceiverClosedError } from './errors/closed.error';
import { WaitForSpansTimeoutError } from './errors/wait-timeout.error';
import { WORKER_ATTRIBUTE_PREFIX, type InstanceSummary } from './types/instance-summary';
import type { AttributeValue, Attributes, ReceivedSpan } from './types/received-span';

const INSTANCE_ID = 'service.instance.id';

interface InstanceEntry {
  instanceId: string | undefined;
  resource: Attributes;
  spans: number;
  firstSeenMs: number;
  lastSeenMs: number;
}

interface Waiter {
  count: number;
  resolve: (spans: ReceivedSpan[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The spans a receiver keeps (at most `maxSpans`), its counts per `service.instance.id` (for at most
 * `maxInstances` of them: each holds its resource, so a client sending a fresh id per request must not
 * grow it without end), and who waits for them.
 */
export class SpanStore {
  private kept: ReceivedSpan[] = [];
  private receivedCount = 0;
  private instanceMap = new Map<string | undefined, InstanceEntry>();
  private untrackedCount = 0;
  private waiters = new Set<Waiter>();
  private closed = false;

  constructor(
    readonly maxSpans: number,
    readonly maxInstances: number,
  ) {}

  /** Counts every span, keeps those that fit under `maxSpans`, and wakes the waiters whose count is reached. */
  add(spans: readonly ReceivedSpan[], now = Date.now()): void {
    this.receivedCount += spans.length;
    const room = Math.max(0, this.maxSpans - this.kept.length);
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as ReceivedSpan;
      if (i < room) this.kept.push(span);
      this.countInstance(span.resource, now);
    }
    for (const waiter of this.waiters) {
      if (this.receivedCount >= waiter.count) this.settle(waiter).resolve(this.spans());
    }
  }

  /** The kept spans, in arrival order (a copy of the list; the spans themselves are shared). */
  spans(): ReceivedSpan[] {
    return this.kept.slice();
  }

  /** Spans received, kept or not. */
  received(): number {
    return this.receivedCount;
  }

  /** Spans received but not kept. */
  dropped(): number {
    return this.receivedCount - this.kept.length;
  }

  /** Spans kept. */
  stored(): number {
    return this.kept.length;
  }

  /** Spans of instances beyond `maxInstances`: counted in `received()`, in no instance. */
  untracked(): number {
    return this.untrackedCount;
  }

  /** How many instances are tracked. */
  instanceCount(): number {
    return this.instanceMap.size;
  }

  /** One summary per `service.instance.id`, in order of first arrival. */
  instances(): InstanceSummary[] {
    return [...this.instanceMap.values()].map(summarize);
  }

  /** Resolves with the kept spans once at least `count` spans were received; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number, describe: () => string): Promise<ReceivedSpan[]> {
    if (this.closed) return Promise.reject(new ReceiverClosedError(`waiting for ${count} spans`));
    if (this.receivedCount >= count) return Promise.resolve(this.spans());
    return new Promise<ReceivedSpan[]>((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.settle(waiter).reject(new WaitForSpansTimeoutError(count, this.receivedCount, timeoutMs, describe()));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Forgets every span and count; pending waiters keep waiting, counting from zero. */
  reset(): void {
    this.kept = [];
    this.receivedCount = 0;
    this.untrackedCount = 0;
    this.instanceMap.clear();
  }

  /** Rejects every pending waiter; later waits reject at once. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters) this.settle(waiter).reject(new ReceiverClosedError(`waiting for ${waiter.count} spans`));
  }

  private settle(waiter: Waiter): Waiter {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    return waiter;
  }

  private countInstance(resource: Attributes, now: number): void {
    const raw = resource[INSTANCE_ID];
    const instanceId = raw === undefined || raw === null ? undefined : String(raw);
    const entry = this.instanceMap.get(instanceId);
    if (entry === undefined) {
      if (this.instanceMap.size >= this.maxInstances) {
        this.untrackedCount += 1;
        return;
      }
      this.instanceMap.set(instanceId, { instanceId, resource, spans: 1, firstSeenMs: now, lastSeenMs: now });
    } else {
      entry.spans += 1;
      entry.lastSeenMs = now;
      entry.resource = resource;
    }
  }
}

function summarize(entry: InstanceEntry): InstanceSummary {
  const { resource } = entry;
  const worker: Attributes = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key.startsWith(WORKER_ATTRIBUTE_PREFIX)) worker[key.slice(WORKER_ATTRIBUTE_PREFIX.length)] = value;
  }
  return {
    instanceId: entry.instanceId,
    serviceName: asString(resource['service.name']),
    pid: asNumber(resource['process.pid']),
    workerIndex: asNumber(worker.index),
    generation: asNumber(worker.generation),
    runtime: asString(worker.runtime),
    worker,
    resource,
    spans: entry.spans,
    firstSeenMs: entry.firstSeenMs,
    lastSeenMs: entry.lastSeenMs,
  };
}

function asString(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asNumber(value: AttributeValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  // Set through OTEL_RESOURCE_ATTRIBUTES, every value is a string.
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}
