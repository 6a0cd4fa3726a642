import { HttpError } from '../errors/http-error';
import type { AttributeValue, Attributes, ReceivedSpan } from '../types/received-span';
import { DecodeCost, EVENT_COST, kindOf, SPAN_COST } from './decode-cost';
import { chargeJson } from './json-cost';
import { bad, double, id, int64, nanos } from './json-scalars';
import { durationMs, spanKindName, statusCodeName } from './names';
import { Turns } from './turns';

type Json = Record<string, unknown>;

const SPANS = kindOf('spans');
const EVENTS_AND_LINKS = kindOf('events and links');

/**
 * Decodes an `application/json` (OTLP/JSON) ExportTraceServiceRequest into flattened spans; rejects
 * with a 400 `HttpError` that names the offending field, and a 413 when it would take more than
 * `maxDecodedBytes` of memory (JSON.parse's objects counted before it runs, then span by span).
 * Like the collector it reads lowerCamelCase and snake_case field names, enums as numbers or proto
 * names, and 64-bit integers as strings or numbers. It gives the event loop a turn every few
 * milliseconds between spans.
 */
export async function decodeJsonTraces(body: Buffer, maxDecodedBytes: number): Promise<ReceivedSpan[]> {
  const cost = new DecodeCost(maxDecodedBytes, body.length);
  chargeJson(body, cost);
  let request: unknown;
  try {
    // A UTF-8 byte order mark is legal at the start of a JSON text but JSON.parse refuses it.
    const text = body.toString('utf8');
    request = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, `body is not valid JSON: ${detail}`);
  }
  const spans: ReceivedSpan[] = [];
  const turns = new Turns();
  const top = object(request, 'request body');
  const resourceSpansList = list(top, 'resourceSpans', 'request');
  for (let i = 0; i < resourceSpansList.length; i++) {
    const rsPath = `resourceSpans[${i}]`;
    const resourceSpans = object(resourceSpansList[i], rsPath);
    const resourceJson = optionalObject(field(resourceSpans, 'resource'), `${rsPath}.resource`);
    const resource = attributes(resourceJson, `${rsPath}.resource`);
    const scopeSpansList = list(resourceSpans, 'scopeSpans', rsPath);
    for (let j = 0; j < scopeSpansList.length; j++) {
      const ssPath = `${rsPath}.scopeSpans[${j}]`;
      const scopeSpans = object(scopeSpansList[j], ssPath);
      const scope = optionalObject(field(scopeSpans, 'scope'), `${ssPath}.scope`);
      const scopeName = string(scope, 'name', `${ssPath}.scope`);
      const scopeVersion = string(scope, 'version', `${ssPath}.scope`) || undefined;
      const spanList = list(scopeSpans, 'spans', ssPath);
      for (let k = 0; k < spanList.length; k++) {
        const span = object(spanList[k], `${ssPath}.spans[${k}]`);
        cost.charge(SPANS, SPAN_COST);
        spans.push(toSpan(span, `${ssPath}.spans[${k}]`, resource, scopeName, scopeVersion, cost));
        if (turns.due()) await turns.next();
      }
    }
  }
  return spans;
}

function toSpan(span: Json, path: string, resource: Attributes, scopeName: string, scopeVersion: string | undefined, cost: DecodeCost): ReceivedSpan {
  const events = list(span, 'events', path);
  const links = list(span, 'links', path);
  cost.charge(EVENTS_AND_LINKS, EVENT_COST, events.length + links.length);
  const start = nanos(field(span, 'startTimeUnixNano'), `${path}.startTimeUnixNano`);
  const end = nanos(field(span, 'endTimeUnixNano'), `${path}.endTimeUnixNano`);
  const parent = id(field(span, 'parentSpanId'), `${path}.parentSpanId`);
  const kind = spanKindName(field(span, 'kind'));
  if (kind === undefined) throw bad(`${path}.kind`, 'expected a SpanKind number or name');
  const status = optionalObject(field(span, 'status'), `${path}.status`);
  const code = statusCodeName(status ? field(status, 'code') : undefined);
  if (code === undefined) throw bad(`${path}.status.code`, 'expected a StatusCode number or name');
  return {
    traceId: id(field(span, 'traceId'), `${path}.traceId`),
    spanId: id(field(span, 'spanId'), `${path}.spanId`),
    parentSpanId: parent === '' ? undefined : parent,
    name: string(span, 'name', path),
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    durationMs: durationMs(start, end),
    attributes: attributes(span, path),
    resource,
    scopeName,
    scopeVersion,
    status: { code, message: string(status, 'message', `${path}.status`) || undefined },
    events: events.map((e, i) => {
      const event = object(e, `${path}.events[${i}]`);
      return {
        name: string(event, 'name', `${path}.events[${i}]`),
        timeUnixNano: nanos(field(event, 'timeUnixNano'), `${path}.events[${i}].timeUnixNano`),
        attributes: attributes(event, `${path}.events[${i}]`),
      };
    }),
    links: links.map((l, i) => {
      const link = object(l, `${path}.links[${i}]`);
      return {
        traceId: id(field(link, 'traceId'), `${path}.links[${i}].traceId`),
        spanId: id(field(link, 'spanId'), `${path}.links[${i}].spanId`),
        attributes: attributes(link, `${path}.links[${i}]`),
      };
    }),
  };
}

/** The `attributes` (a KeyValue list) of `owner` as a plain object. */
export function attributes(owner: Json | undefined, path: string): Attributes {
  return keyValues(owner ? list(owner, 'attributes', path) : [], `${path}.attributes`);
}

function keyValues(items: unknown[], path: string, depth = 0): Attributes {
  const result: Attributes = {};
  items.forEach((kv, i) => {
    const keyValue = object(kv, `${path}[${i}]`);
    const key = field(keyValue, 'key');
    if (typeof key !== 'string') throw bad(`${path}[${i}].key`, 'expected a string');
    result[key] = anyValue(field(keyValue, 'value'), `${path}[${i}].value`, depth);
  });
  return result;
}

// Deeper attribute values are refused rather than recursed into (protobufjs stops protobuf at a similar depth).
const MAX_DEPTH = 64;

function anyValue(raw: unknown, path: string, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) throw bad(path, `attribute value nested deeper than ${MAX_DEPTH} levels`);
  const value = optionalObject(raw, path);
  if (value === undefined) return null;
  const [name, inner] = Object.entries(value).find(([, v]) => v !== undefined) ?? [];
  switch (name) {
    case undefined:
      return null;
    case 'stringValue':
    case 'string_value':
      if (typeof inner !== 'string') throw bad(path, 'stringValue must be a string');
      return inner;
    case 'boolValue':
    case 'bool_value':
      if (typeof inner !== 'boolean') throw bad(path, 'boolValue must be true or false');
      return inner;
    case 'intValue':
    case 'int_value':
      return int64(inner, path);
    case 'doubleValue':
    case 'double_value':
      return double(inner, path);
    case 'arrayValue':
    case 'array_value':
      return list(optionalObject(inner, path) ?? {}, 'values', path).map((v, i) => anyValue(v, `${path}.arrayValue.values[${i}]`, depth + 1));
    case 'kvlistValue':
    case 'kvlist_value':
      return keyValues(list(optionalObject(inner, path) ?? {}, 'values', path), `${path}.kvlistValue.values`, depth + 1);
    case 'bytesValue':
    case 'bytes_value':
      if (typeof inner !== 'string') throw bad(path, 'bytesValue must be a base64 string');
      return inner;
    default:
      throw bad(path, `unknown AnyValue field "${name}"`);
  }
}

/** Reads `name` in lowerCamelCase, else in snake_case. */
function field(owner: Json, name: string): unknown {
  const value = owner[name];
  return value !== undefined ? value : owner[name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(path, 'expected an object');
  return value as Json;
}

function optionalObject(value: unknown, path: string): Json | undefined {
  return value === undefined || value === null ? undefined : object(value, path);
}

function list(owner: Json, name: string, path: string): unknown[] {
  const value = field(owner, name);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`${path}.${name}`, 'expected an array');
  return value;
}

function string(owner: Json | undefined, name: string, path: string): string {
  const value = owner ? field(owner, name) : undefined;
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw bad(`${path}.${name}`, 'expected a string');
  return value;
}
