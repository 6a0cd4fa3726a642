import { setImmediate as nextTurn } from 'node:timers/promises';

// Long enough that a small request never waits a turn, short enough that `GET /` and the other
// requests are served within a few tens of milliseconds while a 16 MiB body is decoded.
const SLICE_MS = 10;
const CHECK_EVERY = 32;

/**
 * Gives the event loop a turn every `SLICE_MS` of work. A decoder asks `due()` per item (cheap: it
 * reads the clock every `CHECK_EVERY` calls) and, when it is, awaits `next()`.
 */
export class Turns {
  private sliceStart = performance.now();
  private calls = 0;

  /** True once this slice has run for `SLICE_MS`. */
  due(): boolean {
    return ++this.calls % CHECK_EVERY === 0 && performance.now() - this.sliceStart >= SLICE_MS;
  }

  /** One event-loop turn (after the I/O that is waiting), then a new slice. */
  async next(): Promise<void> {
    await nextTurn();
    this.sliceStart = performance.now();
  }
}
