// A collector (or the proxy before it) that answers 413 Payload Too Large takes smaller requests: the
// request is sent again as two halves, each halved again on its own 413, down to single spans. A
// single span answered 413 is dropped alone; the other spans of its batch still go. The halves are
// written from the request's own bytes (sliced-request.ts) and sent one after the other, so at most
// one request's bytes and its two halves are held at once along each path.
import { ExportHttpError } from './errors';
import type { SendResult } from './http-sender';
import type { EncodedRequest } from './trace-encoding';

/** What a request and its halves came to. */
export interface HalvingOutcome {
  /** Spans in requests the collector accepted (`rejected` of them refused by an OTLP partial success). */
  delivered: number;
  rejected: number;
  /** Spans answered 413 alone, and the first of them (its name and its size). */
  tooBig: number;
  firstTooBig?: { name: string; bytes: number; error: Error };
  /** Spans of requests that failed otherwise, and the last such error. */
  failed: number;
  error?: Error;
}

/** Sends `request` with `send`, halving it on each 413 as described above. Never rejects. */
export async function sendHalving(request: EncodedRequest, send: (body: Uint8Array) => Promise<SendResult>): Promise<HalvingOutcome> {
  const outcome: HalvingOutcome = { delivered: 0, rejected: 0, tooBig: 0, failed: 0 };
  await sendPart(request, send, outcome);
  return outcome;
}

async function sendPart(request: EncodedRequest, send: (body: Uint8Array) => Promise<SendResult>, outcome: HalvingOutcome): Promise<void> {
  const result = await send(request.body);
  if (result.ok) {
    outcome.delivered += request.count;
    outcome.rejected += result.rejected;
  } else if (!(result.error instanceof ExportHttpError && result.error.status === 413) || request.count === 0) {
    outcome.failed += request.count;
    outcome.error = result.error;
  } else if (request.count === 1) {
    outcome.tooBig++;
    outcome.firstTooBig ??= { name: request.firstName, bytes: request.body.length, error: result.error };
  } else {
    const [first, second] = request.halves();
    await sendPart(first, send, outcome);
    await sendPart(second, send, outcome);
  }
}
