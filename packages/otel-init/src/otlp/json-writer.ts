// A JSON writer made for encoding one span at a time into a buffer that lives across spans: the
// OTLP/JSON text goes straight into UTF-8 bytes (no intermediate strings for the span), with the
// scalars as OTLP/JSON spells them: ids as lower-case hex, 64-bit integers (times, intValue) as
// decimal strings, non-finite doubles as "NaN", "Infinity", "-Infinity".
import { GrowableBuffer } from './growable-buffer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Characters past this many are written by Buffer#write rather than one at a time. */
const SHORT_STRING = 64;

/** A growable OTLP/JSON output buffer. */
export class JsonWriter extends GrowableBuffer {
  /** ASCII text that needs no escaping: the structure of the document ('{"name":', '],'). */
  ascii(text: string): void {
    const length = text.length;
    this.ensure(length);
    const buf = this.buf;
    const pos = this.pos;
    for (let i = 0; i < length; i++) buf[pos + i] = text.charCodeAt(i);
    this.pos = pos + length;
  }

  /** A quoted JSON string. */
  string(value: string): void {
    const length = value.length;
    if (length <= SHORT_STRING) {
      // Printable ASCII with no quote or backslash is written as is; anything else falls back.
      this.ensure(length + 2);
      const buf = this.buf;
      let pos = this.pos;
      buf[pos++] = QUOTE;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) break;
        buf[pos++] = code;
      }
      if (i === length) {
        buf[pos++] = QUOTE;
        this.pos = pos;
        return;
      }
    }
    this.utf8(JSON.stringify(value));
  }

  /** Text of any characters, as UTF-8. */
  utf8(text: string): void {
    this.ensure(3 * text.length);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** A trace or span id as a quoted lower-case hex string. */
  hexId(hex: string): void {
    const length = hex.length;
    this.ensure(length + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = QUOTE;
    for (let i = 0; i < length; i++) {
      const code = hex.charCodeAt(i);
      buf[pos++] = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
    }
    buf[pos++] = QUOTE;
    this.pos = pos;
  }

  /** A non-negative integer below 2^53 (a count, a flag, an enum). */
  uint(value: number): void {
    if (value < 10) {
      this.byte(0x30 + value);
      return;
    }
    this.ascii(String(value));
  }

  /** An HrTime as quoted decimal nanoseconds since the epoch, exactly: the seconds, then 9 digits. */
  nanos(time: readonly [number, number]): void {
    let seconds = Math.trunc(time[0]);
    let ns = Math.trunc(time[1]);
    if (ns < 0 || ns >= 1e9) {
      const carry = Math.floor(ns / 1e9);
      seconds += carry;
      ns -= carry * 1e9;
    }
    this.byte(QUOTE);
    if (seconds !== 0) {
      if (seconds !== this.seconds) {
        this.seconds = seconds;
        this.secondsText = String(seconds);
      }
      this.ascii(this.secondsText);
      this.digits(ns, 9);
    } else {
      this.ascii(String(ns));
    }
    this.byte(QUOTE);
  }

  private seconds = 0;
  private secondsText = '0';

  /** `value` as exactly `count` decimal digits (zero-padded). */
  private digits(value: number, count: number): void {
    this.ensure(count);
    const buf = this.buf;
    for (let i = this.pos + count - 1; i >= this.pos; i--) {
      const next = Math.floor(value / 10);
      buf[i] = 0x30 + value - next * 10;
      value = next;
    }
    this.pos += count;
  }
}
