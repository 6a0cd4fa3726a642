// Failure/recovery episodes, for every signal: a failed export otherwise reaches only OpenTelemetry's
// diag logger, which most apps never set, and a collector that is down would go unnoticed. One line
// when exports start failing, one when they work again: not one per batch or interval. What each
// line says is the signal's (tracing/lost-spans.ts, metrics/export-episodes.ts); when, is decided here.

/** Tells `onFailing` at the first failure of an episode and `onRecovered` at the success that ends it. */
export class FailureEpisodes<F> {
  #failing = false;

  constructor(
    private readonly onFailing: (failure: F) => void,
    private readonly onRecovered: () => void,
  ) {}

  /** Whether exports fail now (no success since the last failure). */
  get failing(): boolean {
    return this.#failing;
  }

  /** An export failed: the first of an episode is told. */
  failed(failure: F): void {
    if (this.#failing) return;
    this.#failing = true;
    this.onFailing(failure);
  }

  /** An export succeeded: it ends the episode, if one runs. */
  succeeded(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.onRecovered();
  }
}
