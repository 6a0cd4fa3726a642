// OTLP attributes (repeated KeyValue) and AnyValue, written as the official serializer decides the
// types: integers within int64 as int_value, other numbers as double_value, Uint8Array as bytes,
// arrays (mixed, with null) as array_value, plain objects as kvlist_value; null writes an empty AnyValue.
import type { ProtoWriter } from './proto-writer';

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63; // one past the largest

/** Whether a number is written as an OTLP int_value (both encodings decide alike). */
export function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64;
}

/** Each own key of `attributes` as a KeyValue in the field whose one-byte tag is `tag`. */
export function writeAttributes(w: ProtoWriter, attributes: Readonly<Record<string, unknown>>, tag: number): void {
  for (const key in attributes) {
    w.byte(tag);
    writeKeyValue(w, key, attributes[key]);
  }
}

/** A KeyValue message (length-delimited, its tag already written). */
function writeKeyValue(w: ProtoWriter, key: string, value: unknown): void {
  const kv = w.begin();
  w.byte(0x0a); // key
  w.string(key);
  w.byte(0x12); // value
  const any = w.begin();
  writeAnyValue(w, value);
  w.end(any);
  w.end(kv);
}

/** The fields of an AnyValue message holding `value`. */
export function writeAnyValue(w: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.byte(0x0a);
      w.string(value);
      return;
    case 'number':
      if (isInt64(value)) {
        w.byte(0x18);
        w.int64(value);
      } else {
        w.byte(0x21);
        w.double(value);
      }
      return;
    case 'boolean':
      w.byte(0x10);
      w.byte(value ? 1 : 0);
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        w.byte(0x3a);
        w.bytes(value);
      } else if (Array.isArray(value)) {
        w.byte(0x2a); // array_value
        const array = w.begin();
        for (const item of value as unknown[]) {
          w.byte(0x0a); // ArrayValue.values
          const any = w.begin();
          writeAnyValue(w, item);
          w.end(any);
        }
        w.end(array);
      } else {
        w.byte(0x32); // kvlist_value
        const list = w.begin();
        writeAttributes(w, value as Record<string, unknown>, 0x0a);
        w.end(list);
      }
      return;
    default:
    // undefined, bigint, symbol, function: an empty AnyValue, as the official serializer writes.
  }
}
