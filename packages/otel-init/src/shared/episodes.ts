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

/** What a `DropEpisodes` says: the first line of an episode (with the count so far), and its end. */
export interface DropLines {
  /** The first drops of an episode: `count` so far (a burst of drops in one turn of the event loop is one count). */
  started(count: number, detail: string | undefined): void;
  /** The episode ended (`count`: every drop in it). `closing`: it ended because the pipeline stopped, not because drops stopped. */
  ended(count: number, closing: boolean): void;
}

/**
 * Drop episodes of one cause (a full queue, spans refused by a collector, ...), for a signal that drops
 * and counts: one line when drops start and one when they stop, however many drops between. The first
 * line waits for the end of the current turn of the event loop, so that a burst is said with its count,
 * not as "1 dropped". An episode ends when `quietMs` pass without a drop, when `recovered()` says so
 * (an export accepted in full), or at `close()`; without a drop since its first line, `close()` says nothing.
 */
export class DropEpisodes {
  #count = 0;
  #saidAt = -1;
  #checkedAt = 0;
  #pending: NodeJS.Immediate | undefined;
  #quiet: NodeJS.Timeout | undefined;

  /**
   * `quietMs`: how long without a drop ends an episode (Infinity: only `recovered()` or `close()`).
   * `atOnce`: the first line is said at the first drop, not at the end of its turn (when the process may be about to exit).
   */
  constructor(
    private readonly lines: DropLines,
    private readonly quietMs: number,
    private readonly atOnce = false,
  ) {}

  /** Whether an episode is running. */
  get open(): boolean {
    return this.#count > 0;
  }

  /** `count` more were dropped; `detail` (of the first drop of an episode) goes into its first line. */
  dropped(count: number, detail?: string): void {
    if (count <= 0) return;
    const first = this.#count === 0;
    this.#count += count;
    if (!first) return;
    if (this.atOnce) this.sayStart(detail);
    else this.#pending = setImmediate(() => this.sayStart(detail)).unref();
  }

  /** Drops of this cause stopped for a reason the caller knows (an export accepted in full): the episode ends now. */
  recovered(): void {
    if (this.#count > 0) this.end(false);
  }

  /** The pipeline stopped: a pending first line is said now, and an episode with drops since that line ends with its count. */
  close(): void {
    if (this.#count === 0) return;
    if (this.#pending) this.sayStart(undefined);
    if (this.#count > this.#saidAt) this.end(true);
    else this.reset();
  }

  private sayStart(detail: string | undefined): void {
    if (this.#pending) clearImmediate(this.#pending);
    this.#pending = undefined;
    this.#saidAt = this.#checkedAt = this.#count;
    this.lines.started(this.#count, detail);
    if (Number.isFinite(this.quietMs)) this.#quiet = setTimeout(() => this.check(), this.quietMs).unref();
  }

  /** Every `quietMs` while an episode runs: none dropped since the last check ends it. */
  private check(): void {
    if (this.#count === this.#checkedAt) return this.end(false);
    this.#checkedAt = this.#count;
    this.#quiet = setTimeout(() => this.check(), this.quietMs).unref();
  }

  private end(closing: boolean): void {
    const count = this.#count;
    if (this.#pending) this.sayStart(undefined);
    this.reset();
    this.lines.ended(count, closing);
  }

  private reset(): void {
    if (this.#pending) clearImmediate(this.#pending);
    clearTimeout(this.#quiet);
    this.#pending = this.#quiet = undefined;
    this.#count = 0;
    this.#saidAt = -1;
  }
}
