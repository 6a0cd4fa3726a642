// Spans of one batch grouped as an OTLP request nests them: by resource (object identity: one
// provider has one resource), then by instrumentation scope (name, version, schemaUrl). The last
// group is remembered: consecutive spans almost always share it, so most spans cost two compares.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** A span's resource. */
export type SpanResource = ReadableSpan['resource'];
/** A span's instrumentation scope. */
export type SpanScope = ReadableSpan['instrumentationScope'];

/** The spans of one scope of one resource, encoded into `body`. */
export interface SpanGroup<T> {
  readonly resource: SpanResource;
  readonly scope: SpanScope;
  readonly body: T;
}

interface ResourceGroups<T> {
  readonly byScope: Map<SpanScope, SpanGroup<T>>;
  readonly byKey: Map<string, SpanGroup<T>>;
  readonly groups: SpanGroup<T>[];
}

/** The groups of one batch; `make` gives the body of a new group. */
export class SpanGroups<T> {
  private readonly resources = new Map<SpanResource, ResourceGroups<T>>();
  private lastResource: SpanResource | undefined;
  private lastScope: SpanScope | undefined;
  private last: SpanGroup<T> | undefined;

  constructor(private readonly make: () => T) {}

  /** The group `span` belongs to (made on first use). */
  groupOf(span: ReadableSpan): SpanGroup<T> {
    const resource = span.resource;
    const scope = span.instrumentationScope;
    if (scope === this.lastScope && resource === this.lastResource) return this.last as SpanGroup<T>;
    let groups = this.resources.get(resource);
    if (!groups) {
      groups = { byScope: new Map(), byKey: new Map(), groups: [] };
      this.resources.set(resource, groups);
    }
    let group = groups.byScope.get(scope);
    if (!group) {
      // Another object for a scope already seen (another provider's tracer, say) joins its group.
      const key = `${scope.name}@${scope.version || ''}:${scope.schemaUrl || ''}`;
      group = groups.byKey.get(key);
      if (!group) {
        group = { resource, scope, body: this.make() };
        groups.byKey.set(key, group);
        groups.groups.push(group);
      }
      groups.byScope.set(scope, group);
    }
    this.lastResource = resource;
    this.lastScope = scope;
    this.last = group;
    return group;
  }

  /** Every group by resource, in the order first seen; the batch is empty after. */
  take(): SpanGroup<T>[][] {
    const all = [...this.resources.values()].map((r) => r.groups);
    this.resources.clear();
    this.lastResource = undefined;
    this.lastScope = undefined;
    this.last = undefined;
    return all;
  }
}
