import type { ObservableResult } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { DeferredMeterProvider } from '../src/metrics/deferred-meter-provider';

// The stand-in for the metrics SDK until it loads (metrics/deferred-pipeline.ts), against the real
// sdk-metrics MeterProvider: what was recorded before attach() is what the SDK collects after.

/** Collects only when asked. */
class Reader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** name -> the value of its single data point (a histogram: its count and sum). */
async function collected(reader: Reader): Promise<Record<string, unknown>> {
  const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
  const out: Record<string, unknown> = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const point = metric.dataPoints[0];
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        const value = point?.value as { count: number; sum?: number };
        out[metric.descriptor.name] = { count: value.count, sum: value.sum };
      } else out[metric.descriptor.name] = point?.value;
    }
  }
  return out;
}

function sdk(): { provider: MeterProvider; reader: Reader } {
  const reader = new Reader();
  return { provider: new MeterProvider({ readers: [reader] }), reader };
}

describe('DeferredMeterProvider', () => {
  it('replays counters, up-down counters, histograms, gauges, observable and batch callbacks recorded before attach, then forwards', async () => {
    const deferred = new DeferredMeterProvider(() => undefined);
    const meter = deferred.getMeter('app', '1.0.0');
    const counter = meter.createCounter('c');
    const upDown = meter.createUpDownCounter('ud');
    const histogram = meter.createHistogram('h');
    const gauge = meter.createGauge('g');
    const observed = meter.createObservableGauge('og');
    const batched = meter.createObservableCounter('bc');
    counter.add(2);
    upDown.add(5);
    upDown.add(-1);
    histogram.record(4);
    histogram.record(6);
    gauge.record(9);
    observed.addCallback((result: ObservableResult) => result.observe(42));
    meter.addBatchObservableCallback((result) => result.observe(batched, 3), [batched]);

    const { provider, reader } = sdk();
    deferred.attach(provider);
    expect(await collected(reader)).toEqual({ c: 2, ud: 4, h: { count: 2, sum: 10 }, g: 9, og: 42, bc: 3 });

    counter.add(1);
    meter.createCounter('late').add(5);
    expect(deferred.getMeter('app', '1.0.0')).not.toBe(meter); // the SDK's own meter from now on
    expect(await collected(reader)).toMatchObject({ c: 3, late: 5 });
  });

  it('a callback removed before attach is not called after', async () => {
    const deferred = new DeferredMeterProvider(() => undefined);
    const observed = deferred.getMeter('app').createObservableGauge('og');
    const callback = (result: ObservableResult): void => result.observe(1);
    observed.addCallback(callback);
    observed.removeCallback(callback);
    const { provider, reader } = sdk();
    deferred.attach(provider);
    expect(await collected(reader)).toEqual({});
  });

  it('calls onFull once, when maxKept calls wait', () => {
    let full = 0;
    const deferred = new DeferredMeterProvider(() => full++, 3);
    const counter = deferred.getMeter('app').createCounter('c');
    counter.add(1);
    counter.add(1);
    expect(full).toBe(0);
    counter.add(1);
    counter.add(1);
    expect(full).toBe(1);
  });
});
