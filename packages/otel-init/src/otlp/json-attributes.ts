// OTLP/JSON attributes (a list of KeyValue) and AnyValue, with the types decided as the protobuf
// encoding decides them (protobuf-attributes.ts: isInt64).
import { isInt64 } from './protobuf-attributes';
import type { JsonWriter } from './json-writer';

/** `attributes` as a JSON array of KeyValue. */
export function writeAttributesJson(w: JsonWriter, attributes: Readonly<Record<string, unknown>> | undefined): void {
  w.byte(0x5b); // [
  let first = true;
  if (attributes) for (const key in attributes) {
    w.ascii(first ? '{"key":' : ',{"key":');
    first = false;
    w.string(key);
    w.ascii(',"value":');
    writeAnyValueJson(w, attributes[key]);
    w.byte(0x7d); // }
  }
  w.byte(0x5d); // ]
}

/** An AnyValue object. */
function writeAnyValueJson(w: JsonWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.ascii('{"stringValue":');
      w.string(value);
      w.byte(0x7d);
      return;
    case 'number':
      if (isInt64(value)) {
        w.ascii('{"intValue":"');
        // String() rounds integers past 2^53 to the shortest round-trip form; BigInt has every digit.
        w.ascii(Number.isSafeInteger(value) ? String(value) : BigInt(value).toString());
        w.ascii('"}');
      } else {
        w.ascii('{"doubleValue":');
        // JSON has no NaN or Infinity; proto3's JSON mapping spells them as strings.
        w.ascii(Number.isFinite(value) ? String(value) : `"${value}"`);
        w.byte(0x7d);
      }
      return;
    case 'boolean':
      w.ascii(value ? '{"boolValue":true}' : '{"boolValue":false}');
      return;
    case 'object':
      if (value === null) {
        w.ascii('{}');
      } else if (value instanceof Uint8Array) {
        w.ascii('{"bytesValue":"');
        w.ascii(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
        w.ascii('"}');
      } else if (Array.isArray(value)) {
        w.ascii('{"arrayValue":{"values":[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) w.byte(0x2c);
          writeAnyValueJson(w, value[i]);
        }
        w.ascii(']}}');
      } else {
        w.ascii('{"kvlistValue":{"values":');
        writeAttributesJson(w, value as Record<string, unknown>);
        w.ascii('}}');
      }
      return;
    default:
      w.ascii('{}');
  }
}
