// OTLP's Span.flags and Link.flags: the W3C trace flags in the low byte, and whether the parent (or
// linked) context is known to be remote in bits 8 and 9 (SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK,
// SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK), as both official serializers write them.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** The flags of a span (isRemote: its parent's) or of a link (isRemote: the linked context's). */
export function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}
