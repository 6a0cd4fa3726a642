import { HttpError } from '../errors/http-error';

/** One field as it lies on the wire: its number, wire type, and for wire type 2 where its bytes are. */
export interface WireField {
  field: number;
  wireType: number;
  /** Start and end of a length-delimited field's bytes (wire type 2); else both the end of the field. */
  start: number;
  end: number;
}

/**
 * Reads the fields of one message lying in `bytes[start, end)` one after the other, without copying
 * or decoding anything (the same `WireField` object each time: read it before the next); throws a 400
 * `HttpError` that says where the body is broken (see `readField`).
 */
export function* wireFields(bytes: Uint8Array, start: number, end: number, what: string): Generator<WireField> {
  const field: WireField = { field: 0, wireType: 0, start: 0, end: 0 };
  for (let pos = start; pos < end; pos = field.end) {
    readField(bytes, pos, end, what, field);
    yield field;
  }
}

/**
 * Reads the field that begins at `pos` of the message ending at `end` into `into` (`into.end` is
 * where the next one begins); throws a 400 `HttpError` that says where the body is broken (`what`
 * names the message). Groups (wire types 3 and 4, which OTLP never uses) are refused.
 */
export function readField(bytes: Uint8Array, pos: number, end: number, what: string, into: WireField): void {
  const tagAt = pos;
  pos = varint(bytes, pos, end, what);
  const tag = lastVarint;
  const number = Math.floor(tag / 8);
  const wireType = tag % 8;
  if (number === 0) throw broken(what, tagAt, 'field number 0');
  let start = -1;
  switch (wireType) {
    case 0:
      pos = varint(bytes, pos, end, what);
      break;
    case 1:
      pos += 8;
      break;
    case 5:
      pos += 4;
      break;
    case 2: {
      const afterLength = varint(bytes, pos, end, what);
      const length = lastVarint;
      pos = afterLength + length;
      if (pos > end) throw broken(what, tagAt, `field ${number} says ${length} bytes but only ${end - afterLength} are left; is it truncated?`);
      start = afterLength;
      break;
    }
    default:
      throw broken(what, tagAt, `field ${number} has wire type ${wireType}${wireType === 3 || wireType === 4 ? ' (a group, which OTLP does not use)' : ', which does not exist'}`);
  }
  if (pos > end) throw broken(what, tagAt, `field ${number} runs past the end; is it truncated?`);
  into.field = number;
  into.wireType = wireType;
  into.start = start === -1 ? pos : start;
  into.end = pos;
}

// The value of the last varint read (exact up to 2^53): a module variable rather than a returned
// pair, since the walk reads two or three varints per field of every body.
let lastVarint = 0;

/** Reads the varint at `pos` into `lastVarint`; returns the position after it. */
function varint(bytes: Uint8Array, pos: number, end: number, what: string): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) throw broken(what, pos, 'a varint runs past the end; is it truncated?');
    const byte = bytes[pos + i] as number;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) {
      lastVarint = value;
      return pos + i + 1;
    }
  }
  throw broken(what, pos, 'a varint longer than 10 bytes');
}

function broken(what: string, at: number, detail: string): HttpError {
  return new HttpError(400, `body is not a valid protobuf ${what}: ${detail} (at byte ${at})`);
}
