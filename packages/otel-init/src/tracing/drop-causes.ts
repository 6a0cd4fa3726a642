// Spans dropped for a cause, not by a failed export: counted by cause, and said once per episode
// (shared/episodes.ts decides when; lost-spans.ts writes the lines). SpanCounter (stats.ts) keeps one.
import { DropEpisodes, type DropLines } from '../shared/episodes';

/**
 * Why a span was dropped without an export failing for it: each cause is said once per episode.
 * - `queue-full`: more spans waited than OTEL_BSP_MAX_QUEUE_SIZE;
 * - `after-shutdown`: ended too late for the flush at exit;
 * - `refused`: a collector answered and refused it (OTLP partial success);
 * - `too-big`: alone bigger than a request may be;
 * - `unencodable`: its encoding threw.
 */
export type DropCause = 'queue-full' | 'after-shutdown' | 'refused' | 'too-big' | 'unencodable';

/** What is said, per cause, when drops start and stop (lost-spans.ts writes the lines). */
export type DropReporter = (cause: DropCause) => DropLines;

/** How long without a drop ends a drop episode (a queue that had room again). */
export const DROP_QUIET_MS = 2_000;

/** Drop counts by cause, each with its episodes. */
export class DropsByCause {
  readonly #counts = new Map<DropCause, number>();
  readonly #episodes = new Map<DropCause, DropEpisodes>();

  constructor(private readonly lines: DropReporter) {}

  /** `spans` were dropped for `cause`; `detail` goes into the first line of an episode. */
  add(cause: DropCause, spans: number, detail?: string): void {
    this.#counts.set(cause, this.of(cause) + spans);
    this.episodesOf(cause).dropped(spans, detail);
  }

  /** Drops for `cause` stopped for a known reason (an export accepted in full): its episode ends now. */
  recovered(cause: DropCause): void {
    this.#episodes.get(cause)?.recovered();
  }

  /** Spans dropped for `cause` so far. */
  of(cause: DropCause): number {
    return this.#counts.get(cause) ?? 0;
  }

  /** Spans dropped for every cause so far. */
  total(): number {
    let sum = 0;
    for (const count of this.#counts.values()) sum += count;
    return sum;
  }

  /** The pipeline stopped: every episode still running says its count. */
  close(): void {
    for (const episodes of this.#episodes.values()) episodes.close();
  }

  private episodesOf(cause: DropCause): DropEpisodes {
    let episodes = this.#episodes.get(cause);
    if (!episodes) {
      // A refusal ends with an export accepted in full; spans ended after the flush never stop being
      // dropped, and the process is about to exit: said at once.
      const quietMs = cause === 'refused' || cause === 'after-shutdown' ? Number.POSITIVE_INFINITY : DROP_QUIET_MS;
      episodes = new DropEpisodes(this.lines(cause), quietMs, cause === 'after-shutdown');
      this.#episodes.set(cause, episodes);
    }
    return episodes;
  }
}
