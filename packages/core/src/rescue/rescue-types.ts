/** One frame of the stuck main thread's stack, as the inspector gave it (1-based line and column). */
export interface StuckFrame {
  functionName: string;
  url: string;
  line: number;
  column: number;
}

/** What the watchdog thread hands the stuck main thread's rescue handlers: its stack and why it was condemned. */
export interface StuckStack {
  frames: StuckFrame[];
  /** The stack as V8 prints it: a first line naming the stall, then one `    at fn (url:line:col)` per frame. */
  stacktrace: string;
  /** The first line of `stacktrace`: how long the main thread was silent and that the watchdog kills it. */
  message: string;
}

/** One HTTP POST the watchdog thread makes for a handler (the stuck main thread cannot send anything). */
export interface RescueDelivery {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** gzip the body before sending (Content-Encoding is the handler's header to set). */
  gzip: boolean;
  /** TLS material for an https:// url, as PEM text. */
  tls?: { ca?: string; cert?: string; key?: string };
  /** The spans it carries, for the counts of the primary's line. */
  spans: number;
}

/** What a handler did on the stuck main thread: what to send, and what it could not take. */
export interface RescueOutcome {
  deliveries: RescueDelivery[];
  /** Open spans of the stuck code it ended (status ERROR, the stack in an `exception` event). */
  spansEnded: number;
  /** Spans it could not hand over at all (an SDK queue it cannot read). */
  spansLost: number;
  /** Spans in an export the stuck thread had started: they may have arrived, nothing can finish the send. */
  spansInFlight: number;
  /** Why, for the primary's line (one short clause each). */
  notes: string[];
}

/**
 * What another package registers to be rescued from a stuck main thread (`@forkhooks/otel-init`
 * registers its tracing). `rescue` runs ON the stuck main thread, paused by the watchdog thread in
 * the middle of the stuck code: it must be synchronous, quick, and touch no I/O.
 */
export interface RescueHandler {
  /** Who it is, for the line when it throws. */
  name: string;
  /** Spans it holds that a kill would lose now (ended, not yet exported): read at every heartbeat. */
  unsentSpans(): number;
  /** Ends what the stuck code has open and hands over what it holds. */
  rescue(stuck: StuckStack): RescueOutcome;
}

/** What the worker's watchdog thread tells its primary after a rescue (one JSON line on the rescue socket). */
export interface RescueReport {
  /** `paused`: the stack was taken; `native`: the main thread did not pause (native code); `failed`: see notes. */
  outcome: 'paused' | 'native' | 'failed';
  frames: StuckFrame[];
  stacktrace?: string;
  spansEnded: number;
  /** Sent and accepted by the collector. */
  spansRescued: number;
  /** Spans that could not be sent (a failed POST, a queue that could not be taken). */
  spansLost: number;
  spansInFlight: number;
  notes: string[];
  tookMs: number;
}
