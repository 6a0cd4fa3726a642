// What the sender reads from a collector's answer, without a protobuf library: the partial success of
// an ExportTraceServiceResponse (field 1: { rejected_spans = 1, error_message = 2 }) and the message
// of a google.rpc.Status error body (field 2), in protobuf or in OTLP JSON.

/** An accepted export's partial success: spans the collector refused, and why. */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** The partial success in a 2xx body; undefined when there is none, or the body is not an OTLP response (it is ignored then). */
export function partialSuccess(body: Buffer, json: boolean): PartialSuccess | undefined {
  if (body.length === 0) return undefined;
  try {
    if (json) {
      const parsed = JSON.parse(body.toString('utf8')) as Record<string, Record<string, unknown> | undefined> | null;
      const partial = parsed?.partialSuccess ?? parsed?.partial_success;
      if (!partial) return undefined;
      const rejected = Number(partial.rejectedSpans ?? partial.rejected_spans ?? 0);
      const message = partial.errorMessage ?? partial.error_message;
      return found(Number.isFinite(rejected) ? rejected : 0, typeof message === 'string' ? message : '');
    }
    const partial = fields(body).get(1);
    if (!(partial instanceof Uint8Array)) return undefined;
    const inner = fields(Buffer.from(partial));
    const rejected = inner.get(1);
    const message = inner.get(2);
    return found(typeof rejected === 'number' ? rejected : 0, message instanceof Uint8Array ? Buffer.from(message).toString('utf8') : '');
  } catch {
    return undefined;
  }
}

/** The `message` of an error body (google.rpc.Status), or undefined when it is not one. */
export function statusMessage(body: Buffer, json: boolean): string | undefined {
  try {
    if (json) {
      const message = (JSON.parse(body.toString('utf8')) as { message?: unknown } | null)?.message;
      return typeof message === 'string' ? message : undefined;
    }
    const message = fields(body).get(2);
    return message instanceof Uint8Array ? Buffer.from(message).toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}

function found(rejectedSpans: number, errorMessage: string): PartialSuccess | undefined {
  return rejectedSpans > 0 || errorMessage !== '' ? { rejectedSpans, errorMessage } : undefined;
}

/** The top-level fields of a protobuf message: varints as numbers, length-delimited ones as bytes; throws on anything malformed. */
function fields(bytes: Buffer): Map<number, number | Uint8Array> {
  const out = new Map<number, number | Uint8Array>();
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 63) throw new Error('truncated varint');
      const byte = bytes[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        out.set(field, varint());
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = varint();
        if (at + length > bytes.length) throw new Error('truncated field');
        out.set(field, bytes.subarray(at, at + length));
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`wire type ${tag & 7}`);
    }
    if (field === 0 || at > bytes.length) throw new Error('not a protobuf message');
  }
  return out;
}
