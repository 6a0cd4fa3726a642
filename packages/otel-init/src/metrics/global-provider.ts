import { metrics, type MeterProvider } from '@opentelemetry/api';
import { enabledInstrumentations } from '../shared/instrumentations';

/**
 * Makes `provider` the global MeterProvider and hands it to the instrumentations enabled so far: the
 * API has no proxy meter provider, so they would keep the no-op meter they took at import
 * (NodeSDK does the same, opentelemetry-js#3609).
 */
export function useMeterProvider(provider: MeterProvider): void {
  metrics.setGlobalMeterProvider(provider);
  for (const instrumentation of enabledInstrumentations()) instrumentation.setMeterProvider(provider);
}
