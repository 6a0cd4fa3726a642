// A protobuf writer made for encoding one span at a time into a buffer that lives across spans:
// strings, hex ids and hrtimes are written straight into the buffer (no intermediate strings,
// arrays or BigInts), and a nested message reserves the length it expects, shifting its bytes only
// when the guess was wrong.
// Over 200 lines, one file: every field writer shares the buffer, its cursor and varintSize, and
// begin/end's length guess must match how each writer grows the buffer; split, each half would
// reach into the other's state.
import { GrowableBuffer } from './growable-buffer';

const TWO_32 = 0x1_0000_0000;
const TWO_16 = 0x1_0000;
const NANOS_PER_SECOND = 1_000_000_000;
/** Strings up to this long are tried as ASCII, written a character at a time; longer ones by Buffer#write. */
const SHORT_STRING = 256;

/** The number of bytes of `value` (0 ≤ value < 2^32) as a varint. */
export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : value < 0x1000_0000 ? 4 : 5;
}

/** The value of each hex digit by character code (either case), as the official hexToBinary reads them. */
const HEX = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;

/** Writes `value` (below 2^32) as a varint at `pos` of `buf`, which has room for it. */
function writeVarint(buf: Buffer, pos: number, value: number): void {
  let v = value;
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos] = v;
}

/** A double's bytes, little-endian on every platform Node runs on, read through a shared scratch. */
const DOUBLE = new Float64Array(1);
const DOUBLE_BYTES = new Uint8Array(DOUBLE.buffer);

/** A growable protobuf output buffer. */
export class ProtoWriter extends GrowableBuffer {
  /** An unsigned varint below 2^32. */
  uint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    let v = value >>> 0;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** An int64 varint from an integer number in [-2^63, 2^63) (negative: two's complement, 10 bytes). */
  int64(value: number): void {
    if (value >= 0 && value < TWO_32) {
      this.uint32(value);
      return;
    }
    const abs = Math.abs(value);
    let low = abs % TWO_32;
    let high = Math.floor(abs / TWO_32) >>> 0;
    if (value < 0) {
      // Two's complement of the 64-bit magnitude.
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (high > 0 || low > 0x7f) {
      buf[pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[pos++] = low;
    this.pos = pos;
  }

  /** A fixed32, little-endian. */
  fixed32(value: number): void {
    this.ensure(4);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = value & 0xff;
    buf[pos + 1] = (value >>> 8) & 0xff;
    buf[pos + 2] = (value >>> 16) & 0xff;
    buf[pos + 3] = (value >>> 24) & 0xff;
    this.pos = pos + 4;
  }

  /** A fixed64 from its 32-bit halves, little-endian. */
  fixed64(low: number, high: number): void {
    this.ensure(8);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = low & 0xff;
    buf[pos + 1] = (low >>> 8) & 0xff;
    buf[pos + 2] = (low >>> 16) & 0xff;
    buf[pos + 3] = (low >>> 24) & 0xff;
    buf[pos + 4] = high & 0xff;
    buf[pos + 5] = (high >>> 8) & 0xff;
    buf[pos + 6] = (high >>> 16) & 0xff;
    buf[pos + 7] = (high >>> 24) & 0xff;
    this.pos = pos + 8;
  }

  /**
   * An HrTime `[seconds, nanoseconds]` as fixed64 nanoseconds since the epoch. seconds * 1e9 passes
   * 2^53, so the seconds are split at bit 16 and each product (< 2^53, exact) is split into 32-bit
   * words; the fractional parts are dropped as the official serializers do. The words of the last
   * seconds are kept: consecutive times mostly share them.
   */
  hrTime(time: readonly [number, number]): void {
    const seconds = Math.trunc(time[0]);
    if (seconds !== this.seconds) this.setSeconds(seconds);
    let low = this.secondsLow + Math.trunc(time[1]);
    let high = this.secondsHigh;
    if (low >= TWO_32 || low < 0) {
      const carry = Math.floor(low / TWO_32);
      low -= carry * TWO_32;
      high += carry;
    }
    this.fixed64(low, high >>> 0);
  }

  private seconds = 0;
  private secondsLow = 0;
  private secondsHigh = 0;

  private setSeconds(seconds: number): void {
    const secondsLow = seconds % TWO_16;
    const upper = ((seconds - secondsLow) / TWO_16) * NANOS_PER_SECOND; // * 2^16 below
    const lower = secondsLow * NANOS_PER_SECOND;
    let low = (upper % TWO_16) * TWO_16 + (lower % TWO_32);
    let high = Math.floor(upper / TWO_16) + Math.floor(lower / TWO_32);
    if (low >= TWO_32) {
      low -= TWO_32;
      high += 1;
    }
    this.seconds = seconds;
    this.secondsLow = low;
    this.secondsHigh = high;
  }

  /** A double, little-endian IEEE 754. */
  double(value: number): void {
    this.ensure(8);
    DOUBLE[0] = value;
    const bytes = DOUBLE_BYTES;
    const buf = this.buf;
    const pos = this.pos;
    for (let i = 0; i < 8; i++) buf[pos + i] = bytes[i] as number;
    this.pos = pos + 8;
  }

  /** A length-delimited UTF-8 string (the field's tag already written). */
  string(value: string): void {
    const length = value.length;
    if (length <= SHORT_STRING) {
      // ASCII fast path: the UTF-8 length is the string's length, so the prefix is written first,
      // then the characters; on the first non-ASCII one, Buffer#write starts over at the same place.
      const prefix = varintSize(length);
      this.ensure(length + prefix);
      const buf = this.buf;
      const start = this.pos;
      let pos = start + prefix;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code > 0x7f) break;
        buf[pos++] = code;
      }
      if (i === length) {
        writeVarint(buf, start, length);
        this.pos = pos;
        return;
      }
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.uint32(bytes);
    this.ensure(bytes);
    this.buf.write(value, this.pos, bytes, 'utf8');
    this.pos += bytes;
  }

  /** Length-delimited bytes from a hex string (a trace or span id). */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.ensure(length + 1);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = length; // ids are 16 or 8 bytes: a 1-byte length
    for (let i = 0; i < hex.length; i += 2) buf[pos++] = ((HEX[hex.charCodeAt(i) & 0x7f] as number) << 4) | (HEX[hex.charCodeAt(i + 1) & 0x7f] as number);
    this.pos = pos;
  }

  /** Length-delimited raw bytes. */
  bytes(value: Uint8Array): void {
    this.uint32(value.length);
    this.raw(value);
  }

  /** Starts a nested message whose length is expected to take `guess` bytes; returns where its body starts. */
  begin(guess = 1): number {
    this.ensure(guess);
    this.pos += guess;
    return this.pos;
  }

  /** Ends the nested message begun at `start` (with `guess`): writes its length, moving the body if the guess was wrong. Returns the length's size. */
  end(start: number, guess = 1): number {
    const length = this.pos - start;
    const size = varintSize(length);
    if (size !== guess) {
      this.ensure(size - guess);
      this.buf.copyWithin(start + size - guess, start, this.pos);
      this.pos += size - guess;
      start += size - guess;
    }
    writeVarint(this.buf, start - size, length);
    return size;
  }
}
