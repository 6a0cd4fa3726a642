import { HttpError } from '../errors/http-error';

// What decoding costs in memory, as estimates a little above what V8 really takes on Node 20 and 24
// (measured with bench/receiver-memory.js; see the receiver README, "Memory"). A body is refused
// before it is decoded, or as soon as its decoding passes the limit, so what a request may take is
// bounded by `maxDecodedBytes` whatever the body holds: 15 MiB of empty messages would otherwise
// make millions of objects (804 MB of RSS for 15 MiB of `0a 00`, issue 21).

/** One decoded span (`ReceivedSpan`: its object, times as strings, status, lists; 335 bytes measured when empty, 980 for a real one). */
export const SPAN_COST = 400;
/** One decoded event or link (113 bytes measured when empty). */
export const EVENT_COST = 128;
/** One attribute (a property of an `attributes` object, its key; 64 bytes measured), or an element of an array value. */
export const ATTRIBUTE_COST = 64;
/** One message protobufjs decodes (an object, and an array per repeated field). */
export const MESSAGE_COST = 96;
/** One string or bytes field, on top of its length (twice for bytes: ids become hex). */
export const STRING_COST = 16;
/** One JSON object or array JSON.parse makes. */
export const JSON_CONTAINER_COST = 64;
/** One JSON member or element (a `,` or `:`). */
export const JSON_MEMBER_COST = 16;

/** What a protobuf decoder keeps of each message, by type name (`default` for the others), and which messages it decodes alone. */
export interface MessageCosts {
  readonly kept: Readonly<Record<string, number>> & { readonly default: number };
  /**
   * Messages protobufjs decodes one at a time: while one is decoded, its protobufjs objects
   * (`MESSAGE_COST` each) are held on top of what was kept, and are garbage after it.
   */
  readonly decodedAlone: ReadonlySet<string>;
}

/**
 * Costs of the trace decoder, which decodes one span at a time: what stays (a span, its events, links
 * and attributes) adds up; a ResourceSpans or ScopeSpans is a resource object and a turn of a loop;
 * the messages protobufjs makes of one span count only while that span is decoded.
 */
export const TRACE_COSTS: MessageCosts = {
  kept: { default: 16, ResourceSpans: 64, ScopeSpans: 32, Span: SPAN_COST, Event: EVENT_COST, Link: EVENT_COST, KeyValue: ATTRIBUTE_COST },
  decodedAlone: new Set(['Resource', 'InstrumentationScope', 'Span']),
};

/** Costs of a decoder that has protobufjs decode the whole body at once (metrics): every message stays until the end. */
export const WHOLE_BODY_COSTS: MessageCosts = { kept: { default: MESSAGE_COST, KeyValue: MESSAGE_COST + ATTRIBUTE_COST }, decodedAlone: new Set() };

// Kinds of item by number, so that charging (millions of times for a large body) indexes an array.
const kindNames: string[] = [];
// More than the message types of proto-schema.ts and the few kinds the decoders name.
const MAX_KINDS = 64;

/** The number of the kind of item called `name` (a message type, 'strings', 'spans'...), for `DecodeCost.charge`. */
export function kindOf(name: string): number {
  const known = kindNames.indexOf(name);
  if (known !== -1) return known;
  if (kindNames.length === MAX_KINDS) throw new Error(`decode-cost.ts: more than ${MAX_KINDS} kinds of item; raise MAX_KINDS`);
  return kindNames.push(name) - 1;
}

/** What one request's decoding has taken so far, by kind, against `maxDecodedBytes`. */
export class DecodeCost {
  private bytes = 0;
  /** Held only while one message is decoded alone (see `MessageCosts.decodedAlone`). */
  private passing = 0;
  private readonly counts = new Float64Array(MAX_KINDS);

  constructor(
    readonly maxDecodedBytes: number,
    /** The body's size, for the message. */
    readonly bodyBytes: number,
  ) {}

  /** Adds `count` items of `kind` (see `kindOf`) at `each` bytes; throws a 413 `HttpError` once the total passes the limit. */
  charge(kind: number, each: number, count = 1): void {
    this.bytes += each * count;
    this.counts[kind] += count;
    if (this.bytes + this.passing > this.maxDecodedBytes) throw this.tooLarge();
  }

  /** Adds `each` bytes that are held only until `endPassing()`. */
  chargePassing(each: number): void {
    this.passing += each;
    if (this.bytes + this.passing > this.maxDecodedBytes) throw this.tooLarge();
  }

  /** The message decoded alone is done: what it held passing is garbage. */
  endPassing(): void {
    this.passing = 0;
  }

  /** Bytes charged so far. */
  total(): number {
    return this.bytes;
  }

  private tooLarge(): HttpError {
    const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
    const top = kindNames
      .map((name, kind) => [name, this.counts[kind] ?? 0] as const)
      .filter(([, count]) => count > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([kind, count]) => `${count.toLocaleString('en-US')} ${kind}`)
      .join(', ');
    return new HttpError(
      413,
      `the ${mb(this.bodyBytes)} body would take more than maxDecodedBytes (${this.maxDecodedBytes} bytes, ${mb(this.maxDecodedBytes)}) of memory once decoded ` +
        `(counted before it stopped: ${top}); send fewer spans per request (OTEL_BSP_MAX_EXPORT_BATCH_SIZE) or raise the receiver's maxDecodedBytes`,
    );
  }
}
