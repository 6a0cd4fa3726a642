// The span and attribute limits of the OTEL_SPAN_*, OTEL_EVENT_*, OTEL_LINK_* and OTEL_ATTRIBUTE_*
// variables, read here for both SDK lines (their TracerProvider reads none of them): config.ts puts
// them in TracingConfig, sdk.ts passes them all to the provider.
import { positiveInteger } from '../shared/env';

/**
 * Span and attribute limits (OTEL_SPAN_*, OTEL_EVENT_*, OTEL_LINK_*, OTEL_ATTRIBUTE_*). Neither SDK
 * line's TracerProvider reads them, so they are read here and passed to it, all of them.
 */
export interface SpanLimits {
  attributeCountLimit: number;
  /** Infinity: no limit. */
  attributeValueLengthLimit: number;
  eventCountLimit: number;
  linkCountLimit: number;
  attributePerEventCountLimit: number;
  attributePerLinkCountLimit: number;
}

/** The spec's (and both SDK lines') defaults. */
export const DEFAULT_SPAN_LIMITS: SpanLimits = {
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
};

/**
 * As the 2.x SDK read them (sdk-trace-base's config.js and reconfigureLimits): the span-specific
 * variable, else the general OTEL_ATTRIBUTE_* one (for the span's attribute count and value
 * length), else the default. The per-event/per-link counts take the spec's names, then the
 * JS-only names 2.x read. 0 is a valid limit (drop all); an invalid value warns and is ignored.
 */
export function resolveSpanLimits(env: NodeJS.ProcessEnv): SpanLimits {
  const limit = (...variables: string[]): number | undefined => {
    for (const variable of variables) {
      const value = positiveInteger(env, variable, true);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const d = DEFAULT_SPAN_LIMITS;
  return {
    attributeCountLimit: limit('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT') ?? d.attributeCountLimit,
    attributeValueLengthLimit: limit('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? d.attributeValueLengthLimit,
    eventCountLimit: limit('OTEL_SPAN_EVENT_COUNT_LIMIT') ?? d.eventCountLimit,
    linkCountLimit: limit('OTEL_SPAN_LINK_COUNT_LIMIT') ?? d.linkCountLimit,
    attributePerEventCountLimit: limit('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT') ?? d.attributePerEventCountLimit,
    attributePerLinkCountLimit: limit('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT') ?? d.attributePerLinkCountLimit,
  };
}
