import { metrics, type Counter, type Histogram } from '@opentelemetry/api';

/** The counter of /fibonacci requests answered: what the demo's final line reports. */
export const REQUESTS_COUNTER = 'fibonacci.requests';
/** The histogram of their durations (ms). */
export const DURATION_HISTOGRAM = 'fibonacci.duration';

let instruments: { requests: Counter; duration: Histogram } | undefined;

/**
 * The service's counter and histogram, taken at the first request: after postfork, where the
 * worker's MeterProvider is registered. The OpenTelemetry API has no proxy meter provider (unlike
 * tracers), so a meter taken at import, before postfork, would stay a no-op.
 */
export function fibonacciInstruments(): { requests: Counter; duration: Histogram } {
  if (instruments) return instruments;
  const meter = metrics.getMeter('forkhooks-example-fibonacci');
  instruments = {
    requests: meter.createCounter(REQUESTS_COUNTER, { description: '/fibonacci requests answered, by status code' }),
    duration: meter.createHistogram(DURATION_HISTOGRAM, { unit: 'ms', description: 'Time to answer /fibonacci', advice: { explicitBucketBoundaries: [0.5, 1, 5, 10, 50, 100, 500] } }),
  };
  return instruments;
}
