import type { Attributes, BatchObservableCallback, Context, Meter, MeterOptions, MeterProvider, MetricOptions, Observable, ObservableCallback } from '@opentelemetry/api';

// The metrics SDK (sdk-metrics: 55 modules) is loaded after the worker is ready, as the span exporter
// is (init-metrics.ts). Until then this provider stands in for it: registered globally and given to
// the instrumentations in postfork, it hands out meters and instruments that keep every call, and
// replays them into the SDK's once it is attached, in order. Nothing recorded before is lost: the
// first export holds it. The API has no proxy meter provider of its own (opentelemetry-js#3609).

/** Any instrument of the API, synchronous or observable: what a deferred one forwards to. */
interface AnyInstrument {
  add?(value: number, attributes?: Attributes, context?: Context): void;
  record?(value: number, attributes?: Attributes, context?: Context): void;
  addCallback?(callback: ObservableCallback): void;
  removeCallback?(callback: ObservableCallback): void;
}

type Creator = 'createCounter' | 'createUpDownCounter' | 'createHistogram' | 'createGauge' | 'createObservableCounter' | 'createObservableUpDownCounter' | 'createObservableGauge';

/** An instrument whose calls are kept until its real instrument exists, then replayed and forwarded. */
class DeferredInstrument implements AnyInstrument {
  real: AnyInstrument | undefined;
  #calls: Array<(real: AnyInstrument) => void> = [];
  constructor(private readonly kept: () => void) {}

  add(value: number, attributes?: Attributes, context?: Context): void {
    if (this.real) this.real.add?.(value, attributes, context);
    else this.#keep((real) => real.add?.(value, attributes, context));
  }
  record(value: number, attributes?: Attributes, context?: Context): void {
    if (this.real) this.real.record?.(value, attributes, context);
    else this.#keep((real) => real.record?.(value, attributes, context));
  }
  addCallback(callback: ObservableCallback): void {
    if (this.real) this.real.addCallback?.(callback);
    else this.#keep((real) => real.addCallback?.(callback));
  }
  removeCallback(callback: ObservableCallback): void {
    if (this.real) this.real.removeCallback?.(callback);
    else this.#keep((real) => real.removeCallback?.(callback));
  }
  attach(real: AnyInstrument): void {
    this.real = real;
    for (const call of this.#calls) call(real);
    this.#calls = [];
  }
  #keep(call: (real: AnyInstrument) => void): void {
    this.#calls.push(call);
    this.kept();
  }
}

/** The real observable behind a deferred one (batch callbacks name their observables). */
const realOf = (observable: Observable): Observable => (observable instanceof DeferredInstrument ? ((observable.real as Observable | undefined) ?? observable) : observable);

class DeferredMeter implements Meter {
  #real: Meter | undefined;
  #instruments: Array<{ create: Creator; name: string; options: MetricOptions | undefined; instrument: DeferredInstrument }> = [];
  #batch: Array<(real: Meter) => void> = [];
  /** Each batch callback as the real meter sees it: its observables mapped to the real ones. */
  #wrapped = new Map<BatchObservableCallback, BatchObservableCallback>();
  constructor(private readonly kept: () => void) {}

  createCounter = this.#creator('createCounter');
  createUpDownCounter = this.#creator('createUpDownCounter');
  createHistogram = this.#creator('createHistogram');
  createGauge = this.#creator('createGauge');
  createObservableCounter = this.#creator('createObservableCounter');
  createObservableUpDownCounter = this.#creator('createObservableUpDownCounter');
  createObservableGauge = this.#creator('createObservableGauge');

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const add = (real: Meter): void => real.addBatchObservableCallback(this.#wrap(callback), observables.map(realOf));
    if (this.#real) add(this.#real);
    else this.#batch.push(add);
  }
  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const remove = (real: Meter): void => real.removeBatchObservableCallback(this.#wrap(callback), observables.map(realOf));
    if (this.#real) remove(this.#real);
    else this.#batch.push(remove);
  }

  attach(real: Meter): void {
    this.#real = real;
    for (const { create, name, options, instrument } of this.#instruments) instrument.attach(real[create](name, options) as AnyInstrument);
    for (const call of this.#batch) call(real);
    this.#instruments = [];
    this.#batch = [];
  }

  #creator<C extends Creator>(create: C): Meter[C] {
    return ((name: string, options?: MetricOptions) => {
      if (this.#real) return this.#real[create](name, options);
      const instrument = new DeferredInstrument(this.kept);
      this.#instruments.push({ create, name, options, instrument });
      return instrument;
    }) as Meter[C];
  }

  #wrap(callback: BatchObservableCallback): BatchObservableCallback {
    let wrapped = this.#wrapped.get(callback);
    if (!wrapped) {
      wrapped = (result) => callback({ observe: (observable, value, attributes) => result.observe(realOf(observable), value, attributes) });
      this.#wrapped.set(callback, wrapped);
    }
    return wrapped;
  }
}

/**
 * A MeterProvider that keeps what its meters are asked until `attach(sdkProvider)`, then replays it
 * there and forwards from then on. `onFull` is called once when `maxKept` calls are waiting (the
 * caller loads the SDK then, rather than keep more).
 */
export class DeferredMeterProvider implements MeterProvider {
  #real: MeterProvider | undefined;
  #meters = new Map<string, { meter: DeferredMeter; args: [string, string | undefined, MeterOptions | undefined] }>();
  #kept = 0;
  constructor(
    private readonly onFull: () => void,
    private readonly maxKept = 10_000,
  ) {}

  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    if (this.#real) return this.#real.getMeter(name, version, options);
    const key = JSON.stringify([name, version, options?.schemaUrl]);
    let entry = this.#meters.get(key);
    if (!entry) {
      entry = { meter: new DeferredMeter(() => this.#keep()), args: [name, version, options] };
      this.#meters.set(key, entry);
    }
    return entry.meter;
  }

  /** Replays every kept call into `real`'s meters and forwards to them from now on. */
  attach(real: MeterProvider): void {
    this.#real = real;
    for (const { meter, args } of this.#meters.values()) meter.attach(real.getMeter(...args));
    this.#meters.clear();
  }

  #keep(): void {
    if (++this.#kept === this.maxKept) this.onFull();
  }
}
