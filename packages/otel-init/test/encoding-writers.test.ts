import { Reader } from 'protobufjs';
import { JsonWriter } from '../src/otlp/json-writer';
import { ProtoWriter } from '../src/otlp/proto-writer';

// The writers under the OTLP encoders, on the values where hand-written encoding goes wrong: 64-bit
// boundaries, carries, and a buffer that must grow in the middle of every write (each writer here
// starts with 1 byte). Protobuf is read back with protobufjs' Reader; exact values come from BigInt.

const TWO_63 = 2n ** 63n;
/** A protobufjs Long (int64/fixed64 as read) as an exact decimal string. */
const longText = (value: unknown): string => String(value);

const HR_TIMES: [number, number][] = [
  [0, 0],
  [0, 1],
  [0, 999_999_999],
  [1, 0],
  [65_535, 999_999_999],
  [65_536, 0],
  [1_700_000_000, 123_456_789],
  [1_796_058_753, 999_999_999],
  [2 ** 32 - 1, 999_999_999],
  [2 ** 32, 5],
  [18_446_744_073, 709_551_615], // the largest time a fixed64 holds
];

const INT64S = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, 2 ** 60, 2 ** 63 - 1024, -1, -128, -(2 ** 31), -(2 ** 32) - 1, -(2 ** 53), -(2 ** 63)];

const STRINGS = ['', 'a', 'abc', 'x'.repeat(127), 'x'.repeat(128), 'y'.repeat(256), 'z'.repeat(257), 'ü', 'a😀b', `${'a'.repeat(100)}é`, '€'.repeat(50), 'say "hi"\\\n\t\u0001', 'lone \ud800 surrogate'];

const nanosOf = ([s, ns]: [number, number]): bigint => BigInt(s) * 1_000_000_000n + BigInt(ns);

describe('ProtoWriter', () => {
  it('writes an HrTime as the exact fixed64 nanoseconds, seconds * 1e9 past 2^53 included', () => {
    const w = new ProtoWriter(1);
    for (const time of HR_TIMES) w.hrTime(time);
    const reader = new Reader(w.buf.subarray(0, w.pos));
    expect(HR_TIMES.map(() => longText(reader.fixed64()))).toEqual(HR_TIMES.map((t) => nanosOf(t).toString()));
  });

  it('writes int64 varints exactly, negatives as 10-byte two’s complement', () => {
    const w = new ProtoWriter(1);
    for (const value of INT64S) w.int64(value);
    const reader = new Reader(w.buf.subarray(0, w.pos));
    expect(INT64S.map(() => longText(reader.int64()))).toEqual(INT64S.map((v) => BigInt(v).toString()));
    expect(INT64S.every((v) => BigInt(v) >= -TWO_63 && BigInt(v) < TWO_63)).toBe(true);
  });

  it('writes strings as length-delimited UTF-8 (ASCII fast path, unicode, 1- and 2-byte lengths) while growing', () => {
    const w = new ProtoWriter(1);
    for (const value of STRINGS) w.string(value);
    const reader = new Reader(w.buf.subarray(0, w.pos));
    // A lone surrogate has no UTF-8: it is written as U+FFFD, as TextEncoder (the official path) writes it.
    expect(STRINGS.map(() => reader.string())).toEqual(STRINGS.map((s) => Buffer.from(s, 'utf8').toString('utf8')));
    expect(reader.pos).toBe(reader.len);
  });

  it('writes a short string that ends exactly at the end of its buffer, for every buffer position', () => {
    for (let padding = 0; padding < 70; padding++) {
      for (const value of ['a', 'ab', 'abc', 'abcd']) {
        const w = new ProtoWriter(1);
        for (let i = 0; i < padding; i++) w.byte(0x08); // field 1 as varint 8: a valid prefix to skip
        w.string(value);
        const reader = new Reader(w.buf.subarray(0, w.pos));
        for (let i = 0; i < padding; i++) reader.uint32();
        expect([padding, reader.string()]).toEqual([padding, value]);
      }
    }
  });

  it('writes hex ids (either case) as bytes, and doubles as IEEE 754', () => {
    const w = new ProtoWriter(1);
    w.hexBytes('0123456789abcdefABCDEF0123456789');
    w.hexBytes('00ff10ee20dd30cc');
    for (const value of [0.5, -2.25, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity]) w.double(value);
    const reader = new Reader(w.buf.subarray(0, w.pos));
    expect(Buffer.from(reader.bytes()).toString('hex')).toBe('0123456789abcdefabcdef0123456789');
    expect(Buffer.from(reader.bytes()).toString('hex')).toBe('00ff10ee20dd30cc');
    expect([0, 1, 2, 3, 4, 5, 6].map(() => reader.double())).toEqual([0.5, -2.25, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity]);
  });

  it('gives a nested message the length it ends with, whatever the guess (1 to 3 bytes, right or wrong)', () => {
    for (const guess of [1, 2, 3]) {
      for (const size of [0, 5, 127, 128, 300, 16_383, 16_384, 70_000]) {
        const w = new ProtoWriter(1);
        w.byte(0x0a);
        const start = w.begin(guess);
        w.string('s'.repeat(size));
        w.end(start, guess);
        w.byte(0x10);
        const reader = new Reader(w.buf.subarray(0, w.pos));
        expect(reader.uint32()).toBe(0x0a);
        const body = new Reader(reader.bytes());
        expect(body.string()).toHaveLength(size);
        expect(reader.uint32()).toBe(0x10);
      }
    }
  });
});

describe('JsonWriter', () => {
  it('writes an HrTime as the exact decimal nanoseconds in a string', () => {
    const w = new JsonWriter(1);
    w.byte(0x5b);
    HR_TIMES.forEach((time, i) => {
      if (i > 0) w.byte(0x2c);
      w.nanos(time);
    });
    w.byte(0x5d);
    expect(JSON.parse(w.buf.subarray(0, w.pos).toString('utf8'))).toEqual(HR_TIMES.map((t) => nanosOf(t).toString()));
  });

  it('writes strings that JSON.parse reads back (escapes, unicode), and ids in lower case', () => {
    const w = new JsonWriter(1);
    w.byte(0x5b);
    for (const value of STRINGS) {
      w.string(value);
      w.byte(0x2c);
    }
    w.hexId('ABCDEF0123456789');
    w.byte(0x5d);
    expect(JSON.parse(w.buf.subarray(0, w.pos).toString('utf8'))).toEqual([...STRINGS, 'abcdef0123456789']);
  });
});
