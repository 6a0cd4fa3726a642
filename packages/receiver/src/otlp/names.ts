import type { SpanKindName, StatusCodeName } from '../types/received-span';

// Index = the OTLP enum number.
const SPAN_KINDS: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES: readonly StatusCodeName[] = ['unset', 'ok', 'error'];

/** OTLP `SpanKind` (a number, or its proto name such as `SPAN_KIND_SERVER` in lenient JSON) by name. */
export function spanKindName(value: unknown): SpanKindName | undefined {
  return enumName(value, SPAN_KINDS, 'SPAN_KIND_');
}

/** OTLP `StatusCode` (a number, or its proto name such as `STATUS_CODE_ERROR`) by name. */
export function statusCodeName(value: unknown): StatusCodeName | undefined {
  return enumName(value, STATUS_CODES, 'STATUS_CODE_');
}

function enumName<T extends string>(value: unknown, names: readonly T[], prefix: string): T | undefined {
  if (value === undefined || value === null) return names[0];
  if (typeof value === 'number') {
    // proto3 enums are open: a number this version does not know is kept as the zero value, as a collector would.
    return Number.isInteger(value) ? (names[value] ?? names[0]) : undefined;
  }
  if (typeof value === 'string' && value.startsWith(prefix)) {
    return names.find((name) => name.toUpperCase() === value.slice(prefix.length));
  }
  return undefined;
}

/** `end - start` of two decimal nanosecond strings, in milliseconds. */
export function durationMs(startUnixNano: string, endUnixNano: string): number {
  return Number(BigInt(endUnixNano) - BigInt(startUnixNano)) / 1e6;
}
