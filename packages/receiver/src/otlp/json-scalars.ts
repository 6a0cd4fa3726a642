// Scalars of OTLP/JSON: ids, nanosecond times, 64-bit integers and doubles, each with the spellings
// proto3's JSON mapping allows. Every reader throws a 400 naming the field.
import { HttpError } from '../errors/http-error';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** OTLP/JSON writes trace and span ids as hex (not base64, unlike proto3's JSON mapping of bytes). */
export function id(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || !HEX.test(value)) throw bad(path, 'expected a hex string (OTLP/JSON ids are hex-encoded)');
  return value.toLowerCase();
}

const UNSIGNED = /^\d{1,20}$/;

/** A time in nanoseconds since the epoch (string or number) as an exact decimal string; absent is '0'. */
export function nanos(value: unknown, path: string): string {
  if (value === undefined || value === null) return '0';
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  // Numbers past 2^53 lost precision before we saw them; keep what arrived.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value).toString();
  if (typeof value === 'string' && UNSIGNED.test(value) && BigInt(value) < 2n ** 64n) return BigInt(value).toString();
  throw bad(path, 'expected nanoseconds since the epoch as a decimal string or number');
}

/** An `intValue`: a number when exact, else a decimal string. */
export function int64(value: unknown, path: string): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) {
    const big = BigInt(value);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) {
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
    }
  }
  throw bad(path, 'intValue must be an integer or a decimal string of a 64-bit integer');
}

/** A `doubleValue`, including proto3's string spellings. */
export function double(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  // proto3 JSON spells the non-finite doubles as strings.
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw bad(path, 'doubleValue must be a number');
}

/** A 400 that names the offending field. */
export function bad(path: string, detail: string): HttpError {
  return new HttpError(400, `invalid OTLP/JSON at ${path}: ${detail}`);
}
