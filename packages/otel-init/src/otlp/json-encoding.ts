// OTLP/HTTP JSON: each span becomes its JSON text when added, kept in its scope's list; take()
// writes the ExportTraceServiceRequest around those texts and encodes it once as UTF-8.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { attributes, quote } from './json-values';
import { spanJson } from './json-span';
import { SpanGroups, type SpanGroup, type SpanResource, type SpanScope } from './span-groups';
import type { TraceBatch, TraceEncoding } from './trace-encoding';

type WithSchemaUrl = { schemaUrl?: string };
type ScopeExtras = { attributes?: Record<string, unknown>; droppedAttributesCount?: number };

class JsonTraceBatch implements TraceBatch {
  count = 0;
  private readonly groups = new SpanGroups<string[]>(() => []);

  add(span: ReadableSpan): void {
    this.groups.groupOf(span).body.push(spanJson(span));
    this.count++;
  }

  take(): Uint8Array {
    const text = `{"resourceSpans":[${this.groups.take().map(resourceSpansJson).join(',')}]}`;
    this.count = 0;
    return Buffer.from(text, 'utf8');
  }
}

function resourceSpansJson(groups: SpanGroup<string[]>[]): string {
  const resource = (groups[0] as SpanGroup<string[]>).resource;
  const schemaUrl = (resource as WithSchemaUrl).schemaUrl;
  const url = schemaUrl ? `,"schemaUrl":${quote(schemaUrl)}` : '';
  return `{"resource":${resourceJson(resource, url)},"scopeSpans":[${groups.map(scopeSpansJson).join(',')}]${url}}`;
}

function resourceJson(resource: SpanResource, url: string): string {
  return `{"attributes":${attributes(resource.attributes)},"droppedAttributesCount":0${url}}`;
}

function scopeSpansJson(group: SpanGroup<string[]>): string {
  const { schemaUrl } = group.scope;
  return `{"scope":${scopeJson(group.scope)},"spans":[${group.body.join(',')}]${schemaUrl !== undefined ? `,"schemaUrl":${quote(schemaUrl)}` : ''}}`;
}

function scopeJson(scope: SpanScope): string {
  const { attributes: attrs, droppedAttributesCount } = scope as ScopeExtras;
  return (
    `{"name":${quote(scope.name)}` +
    (scope.version !== undefined ? `,"version":${quote(scope.version)}` : '') +
    (attrs && Object.keys(attrs).length > 0 ? `,"attributes":${attributes(attrs)},"droppedAttributesCount":${droppedAttributesCount ?? 0}` : '') +
    '}'
  );
}

/** OTLP/HTTP with JSON bodies (`http/json`). */
export const jsonEncoding: TraceEncoding = {
  contentType: 'application/json',
  newBatch: () => new JsonTraceBatch(),
};
