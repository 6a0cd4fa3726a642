import type { Attributes } from '@opentelemetry/api';
import { warnOnce } from './once';

// OTEL_RESOURCE_ATTRIBUTES, read by otel-init itself, by the rules of the SDK's envDetector (both
// lines): `key=value` entries separated by commas, `,` and `=` percent-encoded, keys and values
// trimmed and percent-decoded, at most 255 characters each. The spec: on any error the whole value
// is discarded "and an error reported". The SDK reports it to diag.debug, which no app sees; here it
// is one warning naming the variable and the entry. OTEL_SERVICE_NAME is read apart (config.ts), so
// it still applies.

/** The longest key or value the SDK's envDetector takes. */
const MAX_LENGTH = 255;

/** The attributes of OTEL_RESOURCE_ATTRIBUTES, or {} (unset, or discarded: one warning per process). */
export function envResourceAttributes(raw: string | undefined = process.env.OTEL_RESOURCE_ATTRIBUTES): Attributes {
  if (raw === undefined || raw.trim() === '') return {};
  const parsed = parseResourceAttributes(raw);
  if (typeof parsed !== 'string') return parsed;
  warnOnce(`OTEL_RESOURCE_ATTRIBUTES is discarded, every entry of it (as the spec says): ${parsed}; fix that entry (percent-encode "," "=" and "%" in keys and values, e.g. %2C %3D %25)`);
  return {};
}

/** The attributes, or why the value is invalid (naming the entry: resource attributes are not secrets). */
export function parseResourceAttributes(raw: string): Attributes | string {
  const attributes: Attributes = {};
  for (const entry of raw.split(',').filter((e) => e.trim() !== '')) {
    const parts = entry.split('=');
    if (parts.length !== 2) return `entry ${JSON.stringify(entry)} is not key=value`;
    const [key, value] = parts.map((p) => p.trim()) as [string, string];
    if (key === '') return `entry ${JSON.stringify(entry)} has an empty key`;
    let decoded: [string, string];
    try {
      decoded = [decodeURIComponent(key), decodeURIComponent(value)];
    } catch {
      return `entry ${JSON.stringify(entry)} is not valid percent-encoding`;
    }
    if (decoded[0].length > MAX_LENGTH || decoded[1].length > MAX_LENGTH) return `entry ${JSON.stringify(key)} is longer than ${MAX_LENGTH} characters`;
    attributes[decoded[0]] = decoded[1];
  }
  return attributes;
}
