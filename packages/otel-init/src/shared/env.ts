import { TracingConfigError } from './errors';
import { warnOnce } from './once';

// Readers for the OTEL_* variables. Where the OpenTelemetry spec says an invalid value is
// ignored (numbers, samplers), we warn once naming the variable and use the default, as the
// SDK would, but out loud. Where a value would send spans nowhere (the endpoint), we throw.

/** A positive integer from `env[name]`, or undefined (unset, or invalid: one warning). */
export function positiveInteger(env: NodeJS.ProcessEnv, name: string, allowZero = false): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (Number.isInteger(value) && (value > 0 || (allowZero && value === 0))) return value;
  // Once per process: a variable two signals read (OTEL_EXPORTER_OTLP_TIMEOUT: traces and metrics) is one mistake.
  warnOnce(`${name}=${JSON.stringify(raw)} is not a ${allowZero ? 'non-negative' : 'positive'} integer; ignoring it and using the default`);
  return undefined;
}

/** true for "true" (any case), false for unset/"false"; anything else warns and is false (spec: OTEL_SDK_DISABLED). */
export function booleanFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  warnOnce(`${name}=${JSON.stringify(env[name])} is neither true nor false; treating it as false`);
  return false;
}

/** An http(s) URL; a named error otherwise (an exporter would silently fall back to localhost). */
export function httpUrl(value: string, setting: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TracingConfigError(setting, `${JSON.stringify(value)} is not a URL; use e.g. http://collector:4318`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TracingConfigError(setting, `${JSON.stringify(value)} must be http:// or https:// (OTLP/HTTP)`);
  }
  return url;
}

/**
 * Parses W3C-baggage-style `key=value,key2=value2` (OTEL_EXPORTER_OTLP_HEADERS). Values are secrets:
 * a malformed entry is reported by its position and key only, never its value.
 */
export function headerList(raw: string | undefined, setting: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return headers;
  raw.split(',').forEach((entry, index) => {
    const eq = entry.indexOf('=');
    const key = (eq > 0 ? entry.slice(0, eq) : '').trim();
    if (key === '') {
      warnOnce(`${setting}: entry ${index + 1} is not key=value; ignoring it (its value is not shown: headers may hold secrets)`);
      return;
    }
    if (!HEADER_NAME.test(key)) {
      warnOnce(`${setting}: ${JSON.stringify(key)} is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only); leaving that header out`);
      return;
    }
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      warnOnce(`${setting}: the value of "${key}" is not valid percent-encoding; leaving that header out`);
      return;
    }
    // Node would throw on every export ('Invalid character in header content ["key"]'), naming no variable.
    if (INVALID_HEADER_VALUE.test(value)) {
      warnOnce(`${setting}: the value of "${key}" holds a control character (CR, LF or another, raw or percent-encoded); leaving that header out (its value is not shown: headers may hold secrets)`);
      return;
    }
    headers[key] = value;
  });
  return headers;
}

/** An HTTP header name (RFC 9110 token), as Node checks it. */
const HEADER_NAME = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
/** What Node refuses in a header value (its checkInvalidHeaderChar). */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
