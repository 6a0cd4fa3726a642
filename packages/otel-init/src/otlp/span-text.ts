// Text the OTel API types as a string but apps pass as anything: a span's name
// (`tracer.startSpan(123)`, `span.updateName(undefined)`), an event's name (`span.addEvent(42)`), a
// status message. The SDK stores what it was given; an encoder that wrote it as is would break the
// whole request (a collector answers 400, and every span of the batch is lost). It is coerced as
// String() does, which never throws for a symbol (a template literal would) and gives what a log line
// would show; an object whose toString throws becomes its tag (`[object Object]`).

/** A field of a span that must be text on the wire. */
export type TextField = 'span name' | 'event name' | 'status message';

/** Hears each value that had to be coerced (the encoders call it only on that rare path). */
export type OnCoerced = (field: TextField, value: unknown, text: string) => void;

/** `value` as text: itself when it is a string, else String(value) (told to `onCoerced`). */
export function spanText(value: unknown, field: TextField, onCoerced: OnCoerced | undefined): string {
  if (typeof value === 'string') return value;
  let text: string;
  try {
    text = String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  onCoerced?.(field, value, text);
  return text;
}

/** A short, safe description of a value that is not a string: its type and, when short, its text. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  let text: string;
  try {
    text = typeof value === 'object' ? JSON.stringify(value) ?? String(value) : String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  if (text.length > 40) text = `${text.slice(0, 40)}…`;
  return `${typeof value} ${text}`;
}
