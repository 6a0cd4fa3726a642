/**
 * A failure the receiver plays on purpose, so that tests can meet a slow or failing collector.
 * Fields combine: `delayMs` first, then `reset`, `status` or `garbage` (checked in that order).
 */
export interface FaultOptions {
  /** Answer every trace request with this HTTP status (400..599) and keep none of its spans. */
  status?: number;
  /** Seconds to put in a `Retry-After` header with `status` (the OTLP exporters honour it on 429/503). */
  retryAfterSeconds?: number;
  /** Wait this long after reading a request before answering it. Spans are kept unless another fault says otherwise. */
  delayMs?: number;
  /** Answer 200 with a body that is not an OTLP response (spans are kept). */
  garbage?: boolean;
  /** Drop the connection without answering, as a crashing collector would (spans are not kept). */
  reset?: boolean;
  /** Apply to the next `times` trace requests only, then answer normally again. Default: every request. */
  times?: number;
}
