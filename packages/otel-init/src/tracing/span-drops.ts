// What the user is told about one span the encoder could not send as it was: a name or text the API
// forbids, coerced (said once per field); a span whose encoding threw, or too big for a request or
// for the collector (the detail of the drop episode's first line, lost-spans.ts: the span's name, what
// was wrong, and the fix).
import { describeError, log } from '@forkhooks/core';
import { describeValue, type OnCoerced, type TextField } from '../otlp/span-text';
import { OncePerKey } from '../shared/once';

/** The variable that sets the request limit. */
export const MAX_REQUEST_BYTES_VARIABLE = 'FORKHOOKS_OTLP_MAX_REQUEST_BYTES';

const LIMIT_ADVICE = 'shorten its attributes with OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT (for example 65536 characters)';

/** `name` quoted for a line: control characters removed, at most 80 characters. */
export function printableName(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return JSON.stringify(clean.length > 80 ? `${clean.slice(0, 80)}…` : clean);
}

/** The detail of a span whose encoding threw. */
export function unencodableDetail(name: string, error: unknown): string {
  return (
    `span ${printableName(name)}: ${describeError(error)}; ` +
    'pass the OpenTelemetry API what it types (strings for names, SpanContexts with trace and span ids for links, attribute values of the allowed types)'
  );
}

/** The detail of a span bigger, alone, than the request limit. */
export function tooBigDetail(name: string, bytes: number, limit: number): string {
  return `span ${printableName(name)}: ${bytes} bytes encoded, over the request limit of ${limit} bytes (${MAX_REQUEST_BYTES_VARIABLE}); ${LIMIT_ADVICE}`;
}

/** The detail of a span the collector answered 413 for, alone. */
export function refusedAsTooBigDetail(name: string, bytes: number, limit: number, error: Error): string {
  return (
    `span ${printableName(name)}: ${bytes} bytes, answered ${describeError(error)} even alone; the collector takes less than ` +
    `${MAX_REQUEST_BYTES_VARIABLE} (${limit} bytes): lower it to the collector's limit (its batches are cut and halved meanwhile), and ${LIMIT_ADVICE}`
  );
}

const APIS: Record<TextField, string> = {
  'span name': 'tracer.startSpan() and span.updateName()',
  'event name': 'span.addEvent()',
  'status message': 'span.setStatus()',
};

/** Says once per field (and per process) that a value that is not a string was coerced to text. */
export function coercionWarner(): OnCoerced {
  const said = new OncePerKey<TextField>();
  return (field, value, text) => {
    if (!said.first(field)) return;
    log.warn(
      `${field === 'event name' ? 'an' : 'a'} ${field} that is not a string (${describeValue(value)}) was sent as ${printableName(text)}: ` +
        `pass a string to ${APIS[field]}; later ones are coerced the same way without a line`,
    );
  };
}
