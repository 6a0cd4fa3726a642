// The output buffer the encoders write into: it grows by doubling, and can be emptied for reuse.

/** Bytes written from the start of `buf` up to `pos`. */
export class GrowableBuffer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Empties the buffer, shrinking one a burst left much larger than `keep` bytes need. */
  reset(keep: number): void {
    if (this.buf.length > 4 * Math.max(keep, 1024)) this.buf = Buffer.allocUnsafe(2 * Math.max(keep, 1024));
    this.pos = 0;
  }

  /** One byte (a protobuf tag below field 16, a JSON bracket, ...). */
  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** Raw bytes. */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }
}
