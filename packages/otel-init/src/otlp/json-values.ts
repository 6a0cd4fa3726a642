// The scalars of OTLP/JSON (the proto3 JSON mapping, with OTLP's own rules): ids as lower-case hex,
// 64-bit integers (intValue, times) as decimal strings, non-finite doubles as "NaN"/"Infinity"/
// "-Infinity", bytes as base64; and attributes as KeyValue lists.
import { isInt64 } from './protobuf-attributes';

/** A quoted JSON string. */
export const quote = JSON.stringify as (value: string) => string;

/** A trace or span id as OTLP/JSON writes it: lower-case hex. */
export function hexId(id: string): string {
  return `"${id.toLowerCase()}"`;
}

/** An HrTime as quoted decimal nanoseconds since the epoch, exactly (no BigInt: seconds, then 9 digits). */
export function nanos(time: readonly [number, number]): string {
  let seconds = Math.trunc(time[0]);
  let ns = Math.trunc(time[1]);
  if (ns < 0 || ns >= 1e9) {
    seconds += Math.floor(ns / 1e9);
    ns -= Math.floor(ns / 1e9) * 1e9;
  }
  if (seconds === 0) return `"${ns}"`;
  // ns + 1e9 has exactly 10 digits: drop the leading 1 to get ns zero-padded to 9.
  return `"${seconds}${String(ns + 1e9).slice(1)}"`;
}

/** A double: JSON has no NaN or Infinity, proto3's JSON mapping spells them as strings. */
function double(value: number): string {
  return Number.isFinite(value) ? String(value) : `"${value}"`;
}

/** An integer's exact decimal digits (String() rounds past 2^53 to the shortest round-trip form; those are rare). */
function int64(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/** An AnyValue object. */
export function anyValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${quote(value)}}`;
    case 'number':
      return isInt64(value) ? `{"intValue":"${int64(value)}"}` : `{"doubleValue":${double(value)}}`;
    case 'boolean':
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'object':
      if (value === null) return '{}';
      if (value instanceof Uint8Array) return `{"bytesValue":"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"}`;
      if (Array.isArray(value)) return `{"arrayValue":{"values":[${(value as unknown[]).map(anyValue).join(',')}]}}`;
      return `{"kvlistValue":{"values":${attributes(value as Record<string, unknown>)}}}`;
    default:
      return '{}';
  }
}

/** Attributes as a JSON array of KeyValue. */
export function attributes(attrs: Readonly<Record<string, unknown>> | undefined): string {
  if (!attrs) return '[]';
  let out = '';
  for (const key in attrs) out += `${out ? ',' : ''}{"key":${quote(key)},"value":${anyValue(attrs[key])}}`;
  return `[${out}]`;
}
